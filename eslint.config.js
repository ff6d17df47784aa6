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
  // IR attrs are read typed, through the op table (compiler/ops/README.md): `attrsOf(node, "dense").units`,
  // `inputAttrsOf(node)`, or a role reader (`activationOf`, `shardedWidth`, `useBiasOf`). Reading `.attrs`
  // anywhere else fails `npm test` here. Passing a whole attrs object on unread (`{ attrs: node.attrs }`) is
  // allowed. The files below handle attrs generically: the op table and the input accessor read them,
  // infer-shapes merges infer's attrs, dump prints them; runtime/backend's `attrs` are tfjs kernel attributes.
  {
    files: ["compiler/**/*.ts", "runtime/**/*.ts", "cli/**/*.ts", "grammar/**/*.ts", "index.ts"],
    ignores: [
      "compiler/ops/**",
      "compiler/ir/input-attrs.ts",
      "compiler/passes/infer-shapes.ts",
      "cli/dump.ts",
      "runtime/backend/**",
    ],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...[
          "MemberExpression[property.name='attrs']:not(Property[key.name='attrs'] > MemberExpression.value)",
          "MemberExpression[computed=true][property.value='attrs']",
          "ObjectPattern > Property[key.name='attrs']",
        ].map((selector) => ({
          selector,
          message:
            "read IR attrs typed: attrsOf(node, op) / inputAttrsOf(node) / activationOf, shardedWidth, useBiasOf " +
            "(compiler/ops/README.md), never `.attrs` directly",
        })),
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
