/** `mgpuc lsp [--stdio]`: the language server (cli/lsp/server.ts), loaded only by this verb. */
export async function lspCommand(): Promise<void> {
  const { startLanguageServer } = await import("../lsp/server.js");
  startLanguageServer();
}
