/**
 * The tests under test/windows exercise the Windows side of our stack (the Windows node.exe, koffi's
 * win32 prebuild, kernel32, mingw-built DLLs); scripts/test-windows.sh runs them under Wine and sets
 * PULUMI_HCS_EXPECT_WINDOWS=1. Each file declares its tests through `describeOnWindows`, which picks
 * one of three shapes at module level:
 *
 * - Windows node: the tests, after a first test "runs only under Windows node" that checks the platform;
 * - PULUMI_HCS_EXPECT_WINDOWS=1 on another platform (a broken Windows setup): that first test, failing;
 * - otherwise (the ordinary `npx jest` on Linux): that first test as a todo, with the reason printed,
 *   so the report shows the tests as not run rather than passed.
 */
export const onWindows = process.platform === "win32";
export const expectWindows = process.env.PULUMI_HCS_EXPECT_WINDOWS === "1";

const PLATFORM_TEST = "runs only under Windows node";

export function describeOnWindows(title: string, body: () => void): void {
    if (!onWindows && !expectWindows) {
        console.info(`test/windows: "${title}" not run: these tests need the Windows node.exe, and this is ` +
            `Node ${process.version} on ${process.platform}. Run them with scripts/test-windows.sh.`);
        describe(title, () => {
            it.todo(`${PLATFORM_TEST} (skipped on ${process.platform}: run scripts/test-windows.sh)`);
        });
        return;
    }
    describe(title, () => {
        it(PLATFORM_TEST, () => {
            // PULUMI_HCS_EXPECT_WINDOWS=1 promises the Windows node.exe; anything else is a broken setup.
            expect(`${process.platform} ${process.arch}`).toBe("win32 x64");
        });
        if (onWindows) body();
    });
}
