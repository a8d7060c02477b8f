// jest configuration of the parity tier (docs/parity.md), run by scripts/test-parity.sh: the one
// test file, no time limit per test (the work happens once, in beforeAll).
const base = require("../../jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    rootDir: "../..",
    roots: ["<rootDir>/test/parity"],
    testMatch: ["**/parity.test.ts"],
    testPathIgnorePatterns: [],
    testTimeout: 60_000,
};
