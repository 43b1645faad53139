// The npm quick start (docs/npm.md) as a webpack 5 app.
import init, { mount } from "consent-widget";

await init();
mount("#signup", {
  endpoint: new URLSearchParams(location.search).get("collector") ?? "/v1/proofs",
  controller: { name: "Boutique Exemple SAS", contact: "dpo@boutique.example" },
  privacyPolicyUrl: "/privacy",
  formId: "webpack",
  purposes: [{ id: "newsletter", channel: "email" }],
});
