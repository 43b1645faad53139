// The demo storefront: mounts the widget from the page's JSON config and
// switches the page language (FR / EN) with it. `?lang=<tag>` shows the form
// in any of the widget's languages (the page around it stays French).
import init, { mount } from "/pkg/consent_widget.js";

await init();
const config = JSON.parse(document.getElementById("signup-config").textContent);
const asked = new URLSearchParams(location.search).get("lang");
const widget = mount("#signup", asked ? { ...config, locale: asked } : config);

for (const button of document.querySelectorAll("[data-lang]")) {
  button.addEventListener("click", () => {
    const lang = button.dataset.lang;
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-" + lang + "]")) el.textContent = el.dataset[lang];
    for (const el of document.querySelectorAll("[data-" + lang + "-label]")) el.setAttribute("aria-label", el.getAttribute("data-" + lang + "-label"));
    for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b === button));
    widget.setLocale(lang);
  });
}

document.addEventListener("consent:submit", (event) => console.info("consent:submit", event.detail));
document.addEventListener("consent:error", (event) => console.warn("consent:error", event.detail));
