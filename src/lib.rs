//! consent-widget: a compliant signup form rendered by WebAssembly.
