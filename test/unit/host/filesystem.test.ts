import { HostFileSystemError, errorCode } from "../../../provider/src/host/filesystem";

describe("HostFileSystemError", () => {
    test("names the operation, the Windows path, the reason and the code, and keeps the cause", () => {
        const cause = Object.assign(new Error("ENOSPC: no space left on device, copyfile '/sim/fs/c/a'"), { code: "ENOSPC" });
        const error = new HostFileSystemError("copyFile", "C:\\a", { cause, destination: "C:\\b" });
        expect(error.message).toBe("Cannot copy C:\\a to C:\\b: there is no space left on the device (ENOSPC)");
        expect(error.cause).toBe(cause);
        expect(error.code).toBe("ENOSPC");
        expect(error.operation).toBe("copyFile");
        expect(error.path).toBe("C:\\a");
        expect(error.name).toBe("HostFileSystemError");
    });

    test("uses the code itself for codes without wording", () => {
        expect(new HostFileSystemError("stat", "C:\\a", { cause: { code: "EIO" } }).message).toBe("Cannot inspect C:\\a: EIO (EIO)");
    });

    test("uses an explicit reason without a code", () => {
        expect(new HostFileSystemError("mkdirs", "C:\\a\\b", { reason: "C:\\a is a file, not a folder" }).message).toBe(
            "Cannot create folder C:\\a\\b: C:\\a is a file, not a folder",
        );
    });
});

describe("errorCode()", () => {
    test("reads a string code and ignores anything else", () => {
        expect(errorCode({ code: "ENOENT" })).toBe("ENOENT");
        expect(errorCode({ code: 2 })).toBeUndefined();
        expect(errorCode("ENOENT")).toBeUndefined();
        expect(errorCode(null)).toBeUndefined();
    });
});
