import {
  Accordion,
  Button,
  CharacterCount,
  Checkboxes,
  createAll,
  ErrorSummary,
  Header,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
  Tabs,
} from "../govuk/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "../moj/moj-frontend.min.js";

/*
 * GOV.UK's radios and checkboxes put aria-expanded on the inputs that reveal conditional
 * content, which ARIA does not allow on radios or checkboxes (govuk-frontend issue 979). The
 * reveal itself, and aria-controls, are kept; only the disallowed attribute is dropped.
 */
function withoutAriaExpanded(Component) {
  return class extends Component {
    syncConditionalRevealWithInputState($input) {
      super.syncConditionalRevealWithInputState($input);
      $input.removeAttribute("aria-expanded");
    }
  };
}

[
  Accordion,
  Button,
  CharacterCount,
  ErrorSummary,
  Header,
  NotificationBanner,
  PasswordInput,
  ServiceNavigation,
  SkipLink,
  Tabs,
  withoutAriaExpanded(Radios),
  withoutAriaExpanded(Checkboxes),
].forEach((Component) => createAll(Component));

// MoJ Frontend's components (sortable tables) on the elements that ask for them.
initMojFrontend();

// Print buttons: shown only where JavaScript runs, since they need it.
document.querySelectorAll("[data-app-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
