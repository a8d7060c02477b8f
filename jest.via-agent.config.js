// The engine suite again with every VM on a host agent (scripts/test.sh, its agent tier): each test
// host is an agent in front of its simulator (test/support/agent-mode.ts), the `host` the programs
// use is the agent's grpcs:// address, and the tests still inspect the simulator itself. The files
// below are left out, each for the reason given; inside the others, a case about the direct path
// only is skipped in place with itDirectOnly(why).
const base = require("./jest.config.js");

// Read by test/support/agent-mode.ts in this process and in jest's workers (they inherit it).
process.env.PULUMI_HCS_TEST_VIA_AGENT = "1";

/** Engine test files that do not run through an agent, and why. */
const DIRECT_ONLY = {
    "agent.test.ts": "the agent's own engine test, which puts its own agent in front of a simulator (an agent cannot front an agent)",
    "host-identity.test.ts": "which address reaches which simulator (its socket, TCP, a new port after a crash): through an agent the address is the agent's, which outlives its simulator's",
    "install.test.ts": "starts no test host: the installed package's own `pulumi-hcs sim` plays the host (README Installing)",
    "random-id.test.ts": "preview fails on the missing random plugin before any VM reaches a host",
    "schema-check.test.ts": "starts no host: `pulumi schema check` of schema.json",
};

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    roots: ["<rootDir>/test/engine"],
    testPathIgnorePatterns: [...base.testPathIgnorePatterns, ...Object.keys(DIRECT_ONLY).map((file) => `/test/engine/${file.replace(/\./g, "\\.")}$`)],
};
