from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Framework, KeyQuestion, Standard


@require_safe
def framework_detail(request, code, version):
    """The whole framework version as assessors read it: standards, key questions, prompts."""
    framework = get_object_or_404(
        Framework.objects.select_related("superseded_by").prefetch_related(
            "rating_bands",
            "score_bands",
            Prefetch(
                "standards",
                queryset=Standard.objects.select_related("domain").prefetch_related(
                    Prefetch(
                        "key_questions",
                        queryset=KeyQuestion.objects.prefetch_related("prompts"),
                    )
                ),
            ),
        ),
        code=code,
        version=version,
    )
    return render(
        request,
        "standards/framework_detail.html",
        {"framework": framework, "page_title": str(framework)},
    )
