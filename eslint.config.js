// A small, deliberate rule set: the type-aware rules that catch real bugs (floating promises, misused
// promises, unsafe any flowing into typed code), not a style guide — prettier owns layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "runs/",
      "scratch/",
      ".vitest-tmp/",
      "test/golden/",
      "bench/results/",
      "**/*.js",
      "!eslint.config.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      eqeqeq: ["error", "always"],
      "no-console": "off",
    },
  },
  // The layers' boundaries (README.md): grammar below the compiler, the compiler below the runtime's engines,
  // the CLI above both. A forbidden import fails `npm test` here, with the reason.
  {
    files: ["grammar/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)(compiler/(?!diagnostics/)|runtime/|cli/)",
              message: "grammar/ depends only on compiler/diagnostics/",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["compiler/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/runtime/**", "**/cli/**", "@tensorflow/*"],
              message: "the compiler never imports the runtime, the CLI or TensorFlow.js",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["runtime/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/grammar/**",
                "**/compiler/passes/**",
                "**/compiler/placement/**",
                "**/compiler/emit/**",
                "**/compiler/pipeline*",
                "**/compiler/plan-model*",
                "**/cli/**",
              ],
              message:
                "the runtime reads plans, the IR, the op table, profiles and data formats; it never compiles " +
                "(grammar, passes, placement, emitters) nor imports the CLI",
            },
          ],
        },
      ],
    },
  },
);
