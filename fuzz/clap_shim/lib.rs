//! A no-op `#[derive(Args)]` accepting clap's helper attributes (`#[arg]`, `#[command]`).
use proc_macro::TokenStream;

#[proc_macro_derive(Args, attributes(arg, command, clap))]
pub fn derive_args(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}
