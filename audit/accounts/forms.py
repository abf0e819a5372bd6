"""The sign-in form."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

MAX_PASSWORD = 4096


class SignInForm(AuthenticationForm):
    """Django's sign-in form with its lengths enforced before anything is looked up.

    Django sets the username's max_length after the field is made, so it is not checked; an
    overlong username would reach the login-throttling record (django-axes), whose column
    PostgreSQL refuses to overfill, and the sign-in page would fail instead of saying no.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length or 150))
        self.fields["password"].validators.append(MaxLengthValidator(MAX_PASSWORD))
