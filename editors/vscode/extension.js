// The VS Code client: starts `mgpuc lsp --stdio` (the `mgpuc.command` setting) for .model files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("mgpuc").get("command");
  client = new LanguageClient(
    "mgpuc",
    "mgpuc",
    { command, args, options: { shell: process.platform === "win32" } },
    { documentSelector: [{ language: "mgpuc" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
