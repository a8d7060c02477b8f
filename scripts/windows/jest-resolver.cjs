// jest resolver for the Windows run (test/windows/jest.windows.config.js): the rule of
// app-modules.cjs inside jest's module registry. A bare specifier required from a file outside any
// node_modules folder (tests, provider/sdk sources) resolves from the win32 tree in .tools/win/app,
// so `koffi` is the copy next to @koromix/koffi-win32-x64 and never the repo's Linux one.
// Everything else (relative paths, requires from inside packages) keeps jest's default resolution.
"use strict";
const path = require("node:path");
const { isBuiltin } = require("node:module");

const appDir = process.env.PULUMI_HCS_WIN_APP || path.resolve(__dirname, "..", "..", ".tools", "win", "app");

function isBare(request) {
    return !(request.startsWith(".") || path.isAbsolute(request) || isBuiltin(request));
}

function outsidePackages(dir) {
    return !dir.split(/[\\/]/).includes("node_modules");
}

module.exports = function windowsAppResolver(request, options) {
    if (isBare(request) && outsidePackages(options.basedir)) {
        try {
            return options.defaultResolver(request, { ...options, basedir: appDir });
        } catch {
            // Not in the win32 tree: jest's usual lookup below.
        }
    }
    return options.defaultResolver(request, options);
};
