// One jest configuration for every tier (README, "Tests"; the parity tier has its own: test/parity). ts-jest transpiles only
// (isolatedModules in tsconfig.base.json); `npm run typecheck` is the type check.
/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    // The parity tier runs hcsshim under Wine: scripts/test-parity.sh builds what it needs and runs it.
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/parity/"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json" }] },
    moduleFileExtensions: ["ts", "js", "json"],
    testTimeout: 30000,
    setupFiles: ["<rootDir>/test/support/quiet-logs.js"],
};
