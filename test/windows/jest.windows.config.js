// jest configuration for the Windows run: scripts/test-windows.sh loads it in the Windows node.exe
// under Wine (docs/windows-testing.md). Same transform as the root jest.config.js (ts-jest,
// transpile only), but every tool comes from the win32 package tree in .tools/win/app, and
// scripts/windows/jest-resolver.cjs makes the tests' bare imports (koffi, pino, ...) resolve there too.
//
// Which tests: PULUMI_HCS_WINDOWS_TESTS, space-separated paths relative to the repo root, each a
// directory (its **/*.test.ts), a .test.ts file, or a glob; scripts/test-windows.sh always sets it
// (its default: HCS_WIN_DEFAULT_TESTS in scripts/windows/env.sh). Without it, test/windows only.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const rootDir = path.resolve(__dirname, "..", "..");
const appDir = process.env.PULUMI_HCS_WIN_APP || path.join(rootDir, ".tools", "win", "app");
const appRequire = createRequire(path.join(appDir, "package.json"));

/** jest matches globs against paths with forward slashes, on Windows too. */
const glob = (file) => file.split(path.sep).join("/");

const roots = new Set();
const testMatch = [];
for (const entry of (process.env.PULUMI_HCS_WINDOWS_TESTS || "test/windows").split(/\s+/).filter(Boolean)) {
    if (/[*?[{]/.test(entry)) {
        // Crawl only the folder before the first wildcard, not the whole repo (.tools/ is large).
        const fixed = entry.split(/[\\/]/);
        const wild = fixed.findIndex((part) => /[*?[{]/.test(part));
        roots.add(path.join(rootDir, ...fixed.slice(0, wild)));
        testMatch.push(glob(path.join(rootDir, entry)));
        continue;
    }
    const target = path.resolve(rootDir, entry);
    if (!fs.existsSync(target)) throw new Error(`PULUMI_HCS_WINDOWS_TESTS: no such file or directory '${entry}' under ${rootDir}`);
    if (fs.statSync(target).isDirectory()) {
        roots.add(target);
        testMatch.push(`${glob(target)}/**/*.test.ts`);
    } else {
        roots.add(path.dirname(target));
        testMatch.push(glob(target));
    }
}

/** @type {import('jest').Config} */
module.exports = {
    rootDir,
    roots: [...roots],
    testMatch,
    testEnvironment: appRequire.resolve("jest-environment-node"),
    transform: { "^.+\\.ts$": [appRequire.resolve("ts-jest"), { tsconfig: path.join(rootDir, "tsconfig.json") }] },
    resolver: path.join(rootDir, "scripts", "windows", "jest-resolver.cjs"),
    moduleFileExtensions: ["ts", "js", "json"],
    cacheDirectory: path.join(appDir, "..", "jest-cache"),
    watchman: false,
    testTimeout: 30000,
    // As in the root jest.config.js: the provider's logs at error level unless asked for more.
    setupFiles: [path.join(rootDir, "test", "support", "quiet-logs.js")],
};
