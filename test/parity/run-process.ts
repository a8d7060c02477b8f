import { spawn } from "node:child_process";
import * as fs from "node:fs";

/**
 * Runs a command to completion with its output in `<logBase>.stdout.txt` / `.stderr.txt` (files, not
 * pipes: Wine's processes and the project runner write there alike).
 * @throws {Error} with the command, its exit status and the end of its standard error when it fails.
 */
export async function runProcess(command: string, args: readonly string[], logBase: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    const stdout = fs.openSync(`${logBase}.stdout.txt`, "w");
    const stderr = fs.openSync(`${logBase}.stderr.txt`, "w");
    try {
        const status = await new Promise<number | string>((resolve, reject) => {
            const child = spawn(command, args, { env, stdio: ["ignore", stdout, stderr] });
            child.on("error", reject);
            child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
        });
        if (status !== 0) {
            const tail = fs.readFileSync(`${logBase}.stderr.txt`, "utf8").slice(-2000);
            throw new Error(`${command} ${args.join(" ")} exited with ${status}: ${tail}`);
        }
    } finally {
        fs.closeSync(stdout);
        fs.closeSync(stderr);
    }
}

/** Runs `tasks` with at most `limit` at a time; resolves when all are done, rejects on the first failure. */
export async function inParallel<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
    const results: T[] = new Array<T>(tasks.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < tasks.length) {
            const index = next++;
            results[index] = await tasks[index]!();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}
