// Preloaded (`node.exe -r`) into every run of scripts/windows/run-under-wine.sh.
//
// The repo's own node_modules holds the Linux builds of native packages (koffi finds its prebuild
// only as the sibling folder node_modules/@koromix/koffi-<platform>-<arch>, so NODE_PATH cannot
// supply the win32 one). Code that is not inside a node_modules folder (the repo's sources, tests,
// `-e` snippets) therefore resolves bare specifiers from the win32 tree in .tools/win/app first;
// packages keep Node's usual resolution inside that tree. jest-resolver.cjs applies the same rule
// inside jest's module registry.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const appDir = process.env.PULUMI_HCS_WIN_APP || path.resolve(__dirname, "..", "..", ".tools", "win", "app");

function isBare(request) {
    return !(request.startsWith(".") || path.isAbsolute(request) || Module.isBuiltin(request));
}

function outsidePackages(file) {
    return !file.split(/[\\/]/).includes("node_modules");
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveFromWindowsApp(request, parent, isMain, options) {
    if (isBare(request) && options?.paths === undefined && (!parent?.filename || outsidePackages(parent.filename))) {
        try {
            return resolveFilename.call(this, request, parent, isMain, { paths: [appDir] });
        } catch {
            // Not in the win32 tree: Node's usual lookup below.
        }
    }
    return resolveFilename.call(this, request, parent, isMain, options);
};
