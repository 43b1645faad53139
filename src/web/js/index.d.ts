/** Where consent proofs go, and who collects them. The widget's public contract. */
export interface ConsentWidgetConfig {
  /** URL proofs are POSTed to: http(s), or a path starting with `/`. Required. */
  endpoint: string;
  /** Extra request headers for the endpoint. Default: none. */
  headers?: Record<string, string>;
  /** The data controller, named on the form and in the proof. Required. */
  controller: { name: string; contact: string };
  /** The privacy policy: http(s) URL or a path starting with `/`. Required: no policy, no form. */
  privacyPolicyUrl: string;
  /** The privacy policy's version, recorded in the proof. Default: none. */
  privacyPolicyVersion?: string;
  /**
   * BCP 47 tag (`de_DE` is read as `de-DE`). Default: the page's `<html lang>`. Catalogs: the 24 official
   * EU languages and Norwegian Bokmål (`bg cs da de el en es et fi fr ga hr hu it lt lv mt nb nl pl pt ro sk sl sv`);
   * lookup goes exact tag, then language. A page fetches only the catalog it shows.
   */
  locale?: string;
  /** Shown, with a console warning, when neither `locale` nor the page's language has a catalog or texts. Default: `"en"`. */
  fallbackLocale?: string;
  /** ISO 3166 alpha-2 country whose law applies. Default: `"FR"`. */
  jurisdiction?: string;
  /**
   * `"b2c"`: active opt-in, one unchecked box per purpose (default).
   * `"b2b"`: messages about the recipient's professional activity; the form informs and offers a box to object.
   * `"softOptIn"`: existing customers, similar products; the form informs and offers a box to object.
   */
  regime?: "b2c" | "b2b" | "softOptIn";
  /** One box per purpose, in display order. At least one. */
  purposes: ConsentPurpose[];
  /** `"optional"` shows an optional phone field with a usage notice. Default: `"off"`. */
  phone?: "off" | "optional";
  /** ISO 3166 alpha-2 country for phone numbers typed without `+`. Default: `"FR"`. */
  defaultCountry?: string;
  /** Ask the collector to confirm by e-mail before the consent counts. Default: `true`. */
  doubleOptIn?: boolean;
  /** The form's id, recorded in the proof. Default: `"signup"`. */
  formId?: string;
  /** The form's version, recorded in the proof. Default: `"1"`. */
  formVersion?: string;
  /** Per-locale overrides of any text key, e.g. `{ fr: { submit: "Je m'abonne" } }`. A locale with no built-in catalog must give every key. Default: none. */
  texts?: Record<string, Partial<Record<ConsentTextKey, string>> & Record<string, string>>;
  /** CSS custom properties set on the host. The same `--cw-*` properties can be set from the page's CSS. Default: none. */
  theme?: ConsentTheme;
}

/** One purpose: one box, one channel. */
export interface ConsentPurpose {
  /** Stable id (letters, digits, `-`, `_`), recorded in the proof. */
  id: string;
  /** The channel: `sms` and `phone` need `phone: "optional"`. */
  channel: "email" | "sms" | "phone" | "post";
  /** What is sent, as the object of "I agree to receive …". Default: a text per channel. */
  label?: string | Record<string, string>;
  /** A sentence on the messages (content, frequency). Default: a text per channel. */
  description?: string | Record<string, string>;
  /** Must be absent or `false`: a pre-checked box is refused. */
  checked?: false;
}

/** Theme keys and the custom property each sets: accent `--cw-accent`, accentText `--cw-accent-text`, text `--cw-text`, background `--cw-background`, border `--cw-border`, error `--cw-error`, radius `--cw-radius`, font `--cw-font`. */
export interface ConsentTheme {
  accent?: string;
  accentText?: string;
  text?: string;
  background?: string;
  border?: string;
  error?: string;
  radius?: string;
  font?: string;
}

/** A configuration problem as a mounted widget reports it (`Widget.problems`, `consent:error`): its field and code. */
export interface ConfigProblemCode {
  /** The field's path, e.g. `purposes[1].channel`. */
  field: string;
  /** A stable code. */
  code: "required" | "type" | "invalid" | "unknown-field" | "pre-checked" | "not-http" | "duplicate" | "needs-phone" | "empty" | "unknown-locale";
}

/** A configuration problem with the sentence saying what is wrong, as `validateConfig` gives it. The sentences are not part of the form's code: they are fetched (once per page) where they are read. */
export interface ConfigProblem extends ConfigProblemCode {
  /** A lowercase sentence saying what is wrong, e.g. `is required`. */
  message: string;
}

/** `consent:submit` detail: the signed proof, in the outbox, and what the subscriber chose, refusals included. */
export interface ConsentSubmitDetail {
  /** The record id (a UUID), also the request's `Idempotency-Key`. */
  id: string;
  /** The signed proof: a compact JWS. */
  proof: string;
  email: string;
  phone: string | null;
  locale: string;
  regime: "b2c" | "b2b" | "softOptIn";
  formId: string;
  formVersion: string;
  doubleOptIn: boolean;
  purposes: { id: string; channel: string; choice: "granted" | "refused" | "objected" | "not-objected" }[];
  /** Every string shown, by key, in display order. */
  texts: Record<string, string>;
}

/** `consent:error` detail: an invalid configuration, or a proof the browser could not sign or store (nothing was sent). */
export type ConsentErrorDetail =
  | { code: "config"; message: string; problems: ConfigProblemCode[] }
  | { code: "texts"; message: string }
  | { code: "signing"; message: string; cause: unknown };

/** `consent:delivered` detail: the backend answered 2xx. */
export interface ConsentDeliveredDetail {
  id: string;
  status: number;
  /** The response body, parsed as JSON when it is JSON (the collector's holds its signed receipt). */
  response: unknown;
}

/** `consent:queued` detail: an attempt failed and will be retried. */
export interface ConsentQueuedDetail {
  id: string;
  /** HTTP status, or 0 for a network error or a request abandoned after 15 s. */
  status: number;
  attempt: number;
  retryInMs: number;
}

/** `consent:rejected` detail: the backend refused the proof for good; it stays in the outbox, marked rejected. */
export interface ConsentRejectedDetail {
  id: string;
  status: number;
  response: unknown;
}

/** `consent:withdraw` detail: a signed withdrawal, in the outbox. */
export interface ConsentWithdrawDetail {
  id: string;
  purposes: string[];
  proof: string;
}

/** Events fired on the host element; they bubble and cross the shadow boundary. */
export interface ConsentWidgetEventMap {
  "consent:submit": CustomEvent<ConsentSubmitDetail>;
  "consent:delivered": CustomEvent<ConsentDeliveredDetail>;
  "consent:queued": CustomEvent<ConsentQueuedDetail>;
  "consent:rejected": CustomEvent<ConsentRejectedDetail>;
  "consent:withdraw": CustomEvent<ConsentWithdrawDetail>;
  "consent:error": CustomEvent<ConsentErrorDetail>;
}

/** Every text key a catalog has. */
export type ConsentTextKey =
  | "title" | "intro" | "email.label" | "required" | "email.error.missing" | "email.error.invalid"
  | "phone.label" | "phone.notice" | "phone.error.invalid" | "phone.error.needed"
  | "purposes.legend" | "purposes.legend.optout" | "purposes.hint" | "purposes.hint.optout"
  | "purposes.error.none" | "purpose.consent" | "purpose.inform.b2b"
  | "purpose.inform.softOptIn" | "purpose.object" | "channel.email.label" | "channel.sms.label"
  | "channel.phone.label" | "channel.post.label" | "channel.email.description" | "channel.sms.description"
  | "channel.phone.description" | "channel.post.description" | "doi.notice" | "privacy.text"
  | "privacy.link" | "newtab" | "submit" | "status.pending" | "status.sent" | "status.sent.doi"
  | "status.invalid" | "status.queued" | "status.rejected" | "status.failed" | "status.withdrawn"
  | "manage.toggle" | "manage.legend" | "manage.hint" | "purpose.withdraw" | "manage.submit"
  | "manage.error.none" | "unavailable";

/** A mounted widget. */
export class Widget {
  private constructor();
  /** Removes the form and its listeners; the host stays as it was. */
  destroy(): void;
  /** Resolves once the form is drawn in its language (that locale's texts fetched, once per page). */
  readonly ready: Promise<void>;
  /** Switches the form to another locale, keeping what was typed; resolves once it is drawn. Throws at once for a locale no catalog and no configured texts serve. */
  setLocale(locale: string): Promise<void>;
  /**
   * Withdraws consent for `purposeIds`, given earlier from this browser
   * with this form: signs a withdrawal record linked to that consent and
   * sends it like any proof. Resolves with the record id.
   */
  withdraw(purposeIds: string[]): Promise<string>;
  /** The configuration's problems, by field and code; empty when the form is rendered. Their sentences: `validateConfig`. */
  readonly problems: ConfigProblemCode[];
}

/**
 * Mounts the signup form on `target` (an element or a CSS selector).
 *
 * An invalid configuration renders no form: the host shows a short neutral
 * message, the console lists every problem by field and code, and
 * `consent:error` fires. On a local page or in Shopify's theme editor the
 * host also lists each problem's sentence, for the merchant.
 */
export function mount(target: Element | string, config: ConsentWidgetConfig | string): Widget;

/**
 * Checks a configuration without rendering anything: resolves with every problem, each naming its field, with its code and
 * sentence. An empty list means it is valid. The sentences are a file of their own (the npm package's `problems.en.js`,
 * the script tag's `consent-widget.problems.en.js` beside it), fetched once per page, and only for a configuration with
 * problems; it rejects if that file cannot be fetched.
 */
export function validateConfig(config: ConsentWidgetConfig | string): Promise<ConfigProblem[]>;

/** The widget's version. */
export function version(): string;

/** What `init` accepts: the wasm's URL, a response, its bytes or a compiled module. Default: `consent_widget_bg.wasm` next to this file. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads the WebAssembly; `mount` and `validateConfig` work once it resolves. */
export default function init(module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<unknown>;

/** Loads the WebAssembly from bytes or a compiled module, synchronously. */
export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;

declare global {
  interface ElementEventMap extends ConsentWidgetEventMap {}
  interface DocumentEventMap extends ConsentWidgetEventMap {}
  interface WindowEventMap extends ConsentWidgetEventMap {}
}
