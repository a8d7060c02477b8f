/**
 * Callbacks from Windows threads, before the real computecore.dll arrives: a mingw-built fixture DLL
 * (fixtures/thread-callback.c, built by scripts/test-windows.sh into .tools/win/build/) calls a
 * koffi-registered callback from a CreateThread thread, as HCS calls HCS_OPERATION_COMPLETION.
 * koffi must run the JS on the main thread while the event loop keeps turning, and (the pitfall the
 * binding's OperationRunner guards against with a timer) a pending callback alone does not keep
 * Node alive. On Linux the tests are reported as todo (see windows-only.ts).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import koffi, { type TypeObject } from "koffi";
import { describeOnWindows } from "./windows-only";

interface ChildEvent {
    readonly event: "started" | "callback";
    readonly nativeThreadId: number;
    readonly jsThreadId?: number;
    readonly mainThreadId: number;
}

describeOnWindows("callbacks from a CreateThread thread in a mingw DLL", () => {
    const buildDir = process.env.PULUMI_HCS_WIN_BUILD ?? path.join(__dirname, "..", "..", ".tools", "win", "build");
    const dllPath = path.join(buildDir, "thread-callback.dll");
    const childScript = path.join(__dirname, "fixtures", "keep-alive-child.js");

    let GetCurrentThreadId: () => number;
    let start: (callback: bigint, context: null, delayMs: number) => number;
    let completedCallbacks: () => number;
    let Callback: TypeObject;
    const registered: bigint[] = [];
    let threadsStarted = 0;

    beforeAll(() => {
        if (!fs.existsSync(dllPath)) {
            throw new Error(`${dllPath} is missing: scripts/test-windows.sh builds it from test/windows/fixtures/thread-callback.c`);
        }
        const kernel32 = koffi.load("kernel32.dll");
        GetCurrentThreadId = kernel32.func("uint32_t __stdcall GetCurrentThreadId()");
        const fixture = koffi.load(dllPath);
        Callback = koffi.proto("__stdcall", null, "void", ["uint32_t", "void *"]);
        start = fixture.func("__stdcall", "FixtureStartCallbackThread", "uint32_t", [koffi.pointer(Callback), "void *", "uint32_t"]);
        completedCallbacks = fixture.func("__stdcall", "FixtureCompletedCallbacks", "int32_t", []);
    });

    afterAll(async () => {
        // Unregister only once every native thread has left its callback.
        const deadline = Date.now() + 5000;
        while (threadsStarted > 0 && completedCallbacks() < threadsStarted && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        for (const callback of registered) koffi.unregister(callback);
    });

    /** Starts `count` threads that call back after `delayMs`; resolves with what each callback saw. */
    function callBackFromThreads(count: number, delayMs: number): Promise<{ nativeThreadId: number; jsThreadId: number; ticks: number }[]> {
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 5);
        return new Promise((resolve) => {
            const seen: { nativeThreadId: number; jsThreadId: number; ticks: number }[] = [];
            const callback = koffi.register((nativeThreadId: number) => {
                seen.push({ nativeThreadId, jsThreadId: GetCurrentThreadId(), ticks });
                if (seen.length === count) {
                    clearInterval(ticker);
                    resolve(seen);
                }
            }, koffi.pointer(Callback));
            registered.push(callback);
            for (let i = 0; i < count; i++) {
                expect(start(callback, null, delayMs)).not.toBe(0);
                threadsStarted++;
            }
        });
    }

    it("runs the callback on the JS main thread while the event loop keeps turning", async () => {
        const mainThreadId = GetCurrentThreadId();
        const [call] = await callBackFromThreads(1, 200);
        expect(call!.jsThreadId).toBe(mainThreadId);
        expect(call!.nativeThreadId).not.toBe(mainThreadId);
        // A 5 ms interval ran during the 200 ms wait: the main thread was not blocked.
        expect(call!.ticks).toBeGreaterThan(3);
    });

    it("relays 8 concurrent threads' callbacks, each to the main thread", async () => {
        const mainThreadId = GetCurrentThreadId();
        const calls = await callBackFromThreads(8, 50);
        expect(calls.map((call) => call.jsThreadId)).toEqual(Array(8).fill(mainThreadId));
        expect(new Set(calls.map((call) => call.nativeThreadId)).size).toBe(8);
        expect(calls.map((call) => call.nativeThreadId)).not.toContain(mainThreadId);
    });

    function runChild(mode: "keep-alive" | "none", delayMs: number): { events: ChildEvent[]; status: number | null; ms: number } {
        const started = Date.now();
        const child = spawnSync(process.execPath, [childScript, require.resolve("koffi"), dllPath, mode, String(delayMs)], {
            encoding: "utf8",
            timeout: 20_000,
        });
        const ms = Date.now() - started;
        if (child.error) throw child.error;
        const events = child.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as ChildEvent);
        if (child.status !== 0) throw new Error(`child exited ${child.status}: ${child.stderr}`);
        return { events, status: child.status, ms };
    }

    it("keeps a child process alive until the callback with a ref'd timer", () => {
        const { events } = runChild("keep-alive", 300);
        expect(events.map((e) => e.event)).toEqual(["started", "callback"]);
        const [started, callback] = events;
        expect(callback!.jsThreadId).toBe(callback!.mainThreadId);
        expect(callback!.nativeThreadId).toBe(started!.nativeThreadId);
    });

    it("shows the pitfall: without a ref'd handle, Node exits before the thread calls back", () => {
        const { events, ms } = runChild("none", 5000);
        expect(events.map((e) => e.event)).toEqual(["started"]);
        expect(ms).toBeLessThan(5000);
    });
});
