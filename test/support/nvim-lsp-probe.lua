-- Run by test/cli/neovim.test.ts: Neovim's own LSP client (0.7: vim.lsp.start_client) starts `mgpuc lsp --stdio`,
-- opens MODEL_FILE, waits for the server's diagnostics and writes them to NVIM_OUT as JSON, then quits.
local out = os.getenv("NVIM_OUT")
local cmd = vim.split(os.getenv("MGPUC_LSP"), "\t")
local client = vim.lsp.start_client({ name = "mgpuc", cmd = cmd, cmd_cwd = os.getenv("MGPUC_CWD"), root_dir = vim.fn.getcwd() })
vim.cmd("edit " .. os.getenv("MODEL_FILE"))
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client)
local ok = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
local list = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(list, { code = d.code, line = d.lnum + 1, column = d.col + 1, message = d.message })
end
local f = io.open(out, "w")
f:write(vim.fn.json_encode({ ok = ok, diagnostics = list }))
f:close()
vim.lsp.stop_client(client)
vim.cmd("qall!")
