// consent-widget on Shopify, set-up "storefront customer form" only: once the
// widget has handled a submission, add the subscriber to the shop's customers
// through Shopify's own storefront customer form ({% form 'customer' %}:
// contact[email], contact[tags], and contact[accepts_marketing] when the
// snippet rendered it, which it does for a single opt-in form only). With
// double opt-in the proof reaches the collector before the subscriber has
// confirmed, so this page never subscribes them: the customer is added
// unsubscribed, tagged, and the collector's Shopify connector (the
// recommended set-up, in which this script is not loaded) records the
// confirmed opt-in once they click, and the withdrawal when they leave.
//
// It runs on "consent:delivered", once the collector has the signed proof,
// with the choices "consent:submit" carried for the same record id.
(function () {
  "use strict";
  var EMAIL_YES = { granted: true, "not-objected": true };
  var submitted = {};

  function subscribe(target, detail) {
    var host = target && target.closest && target.closest("[data-shopify-customer-form]");
    if (!host) return;
    var form = document.getElementById(host.getAttribute("data-shopify-customer-form"));
    var yes = (detail.purposes || []).filter(function (p) { return EMAIL_YES[p.choice]; });
    if (!form || !detail.email || !yes.some(function (p) { return p.channel === "email"; })) return;
    form.elements["contact[email]"].value = detail.email;
    form.elements["contact[tags]"].value = ["consent-widget"].concat(yes.map(function (p) { return "consent-" + p.id; })).join(",");
    var marketing = form.elements["contact[accepts_marketing]"];
    if (marketing) marketing.value = "true";
    var done = function (ok, status) {
      host.dispatchEvent(new CustomEvent("consent:shopify-customer", { bubbles: true, detail: { ok: ok, status: status } }));
    };
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (res) {
        // Shopify may answer with its bot challenge page: then post the form for real.
        if (/\/challenge\b/.test(res.url)) return form.submit();
        done(res.ok, res.status);
      })
      .catch(function () { done(false, 0); });
  }

  document.addEventListener("consent:submit", function (event) {
    if (event.detail && event.detail.id) submitted[event.detail.id] = { target: event.target, detail: event.detail };
  });
  document.addEventListener("consent:delivered", function (event) {
    var id = event.detail && event.detail.id;
    var seen = submitted[id];
    if (!seen) return;
    delete submitted[id];
    subscribe(seen.target, seen.detail);
  });
})();
