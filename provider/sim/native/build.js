#!/usr/bin/env node
// Builds the HCS simulator's native library from hcssim.c.
//
//   node sim/native/build.js           Linux/macOS: build/libhcssim.so with the machine's C compiler ($CC or cc)
//   node sim/native/build.js --win64   build/win64/computecore.dll with x86_64-w64-mingw32-gcc (used by Wine tests)
//   add --force to rebuild even when the output is newer than the sources.
//
// `provider`'s `build` script runs the first form, so `npm ci` builds the library; no binary is committed.
// On Windows the first form does nothing: the binding loads the real computecore.dll there.
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const here = __dirname;
const source = path.join(here, "hcssim.c");
const defFile = path.join(here, "computecore.def");
const args = process.argv.slice(2);
const force = args.includes("--force");
const win64 = args.includes("--win64");

function upToDate(output, inputs) {
    if (force || !fs.existsSync(output)) return false;
    const built = fs.statSync(output).mtimeMs;
    return inputs.every((input) => fs.statSync(input).mtimeMs <= built);
}

function hasCommand(command) {
    const probe = spawnSync(command, ["--version"], { stdio: "ignore" });
    return probe.error === undefined && probe.status === 0;
}

function compile(compiler, compilerArgs, output) {
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const result = spawnSync(compiler, compilerArgs, { stdio: "inherit" });
    if (result.error !== undefined) {
        process.stderr.write(`hcssim build: cannot run '${compiler}': ${result.error.message}\n`);
        process.exit(1);
    }
    if (result.status !== 0) {
        process.stderr.write(`hcssim build: '${compiler}' failed (exit ${result.status}) building ${output}\n`);
        process.exit(result.status ?? 1);
    }
    process.stdout.write(`hcssim build: built ${path.relative(process.cwd(), output) || output}\n`);
}

if (win64) {
    const compiler = process.env.MINGW_CC || "x86_64-w64-mingw32-gcc";
    const output = path.join(here, "build", "win64", "computecore.dll");
    if (!hasCommand(compiler)) {
        process.stderr.write(
            `hcssim build: no mingw-w64 compiler ('${compiler}'): install gcc-mingw-w64-x86-64-win32 and ` +
                "mingw-w64-x86-64-dev (Debian), or set MINGW_CC\n",
        );
        process.exit(1);
    }
    if (upToDate(output, [source, defFile, __filename])) process.exit(0);
    // The source includes <windows.h> and <computecore.h> first, so a prototype that differs from the
    // Windows SDK header is a compile error here.
    compile(
        compiler,
        ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-o", output, source, defFile, "-lws2_32",
            "-static-libgcc"],
        output,
    );
} else {
    if (process.platform === "win32") {
        process.stdout.write("hcssim build: skipped on Windows (the binding uses the real computecore.dll)\n");
        process.exit(0);
    }
    const compiler = process.env.CC || "cc";
    const output = path.join(here, "build", "libhcssim.so");
    if (!hasCommand(compiler)) {
        process.stderr.write(
            `hcssim build: no C compiler found ('${compiler}'). The HCS simulator's native library needs one: ` +
                "install gcc (Debian: apt-get install gcc) or set CC, then run `npm run build -w provider`\n",
        );
        process.exit(1);
    }
    if (upToDate(output, [source, __filename])) process.exit(0);
    compile(
        compiler,
        ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared", "-fvisibility=hidden", "-pthread",
            "-o", output, source],
        output,
    );
}
