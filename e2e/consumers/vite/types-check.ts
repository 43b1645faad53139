// Compiled with tsc --noEmit: the package's types cover the configuration,
// the handle, the events and the script tag's global.
import init, { mount, validateConfig, version } from "consent-widget";
import type { ConsentWidgetConfig, ConsentSubmitDetail, ConfigProblem, ConfigProblemCode } from "consent-widget";
import type { ConsentWidgetGlobal } from "consent-widget/script";

const config: ConsentWidgetConfig = {
  endpoint: "/v1/proofs",
  controller: { name: "Boutique Exemple SAS", contact: "dpo@boutique.example" },
  privacyPolicyUrl: "/privacy",
  regime: "b2c",
  phone: "optional",
  doubleOptIn: true,
  purposes: [{ id: "newsletter", channel: "email" }, { id: "sms", channel: "sms", label: { fr: "nos SMS", en: "our texts" } }],
  texts: { fr: { submit: "Je m'abonne" } },
  theme: { accent: "#0b57d0" },
};
// @ts-expect-error a pre-checked purpose is refused by the types as well
const preChecked: ConsentWidgetConfig = { ...config, purposes: [{ id: "n", channel: "email", checked: true }] };
void preChecked;

await init();
const widget = mount("#signup", config);
widget.setLocale("en");
const problems: ConfigProblem[] = await validateConfig(config);
const codes: ConfigProblemCode[] = widget.problems;
const v: string = version();
document.addEventListener("consent:submit", (e) => {
  const detail: ConsentSubmitDetail = e.detail;
  console.log(detail.email, detail.purposes[0]?.choice, problems[0]?.message, codes, v);
});
document.querySelector("#signup")?.addEventListener("consent:error", (e) => {
  if (e.detail.code === "config") console.log(e.detail.problems[0]?.code);
});
document.addEventListener("consent:delivered", (e) => console.log(e.detail.id, e.detail.status, e.detail.response));
document.addEventListener("consent:queued", (e) => console.log(e.detail.attempt, e.detail.retryInMs));
document.addEventListener("consent:withdraw", (e) => console.log(e.detail.purposes.length, e.detail.proof));
const withdrawn: Promise<string> = widget.withdraw(["newsletter"]);
void withdrawn;
const global: ConsentWidgetGlobal = window.ConsentWidget;
global.mount("#other", JSON.stringify(config)).destroy();
document.querySelector("[data-consent-widget]")?.consentWidget?.setLocale("fr");
