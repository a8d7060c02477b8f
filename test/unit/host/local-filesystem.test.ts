import { LocalFileSystem } from "../../../provider/src/host/local-filesystem";
import { isWindows } from "../../../provider/src/platform";

describe("LocalFileSystem", () => {
    if (isWindows) {
        test("refuses a path that is not a normalized drive path", async () => {
            await expect(new LocalFileSystem().stat("relative\\path")).rejects.toThrow(RangeError);
        });
        return;
    }

    test("refuses to work off Windows, pointing at the simulated host", () => {
        expect(() => new LocalFileSystem()).toThrow("Cannot use the local host's file system off Windows");
    });
});
