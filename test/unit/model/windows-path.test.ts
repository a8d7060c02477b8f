import {
    MAX_WINDOWS_PATH_LENGTH,
    isNormalizedWindowsPath,
    joinWindowsPath,
    normalizeWindowsPath,
    parseWindowsPath,
    windowsPathKey,
} from "../../../provider/src/model/windows-path";

function normalized(input: string): string {
    const parsed = parseWindowsPath(input);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.path;
}

function reason(input: string): string {
    const parsed = parseWindowsPath(input);
    if (parsed.ok) throw new Error(`${JSON.stringify(input)} was accepted as ${parsed.path}`);
    return parsed.reason;
}

describe("parseWindowsPath() normalization", () => {
    test.each([
        ["C:\\a\\b", "C:\\a\\b"],
        ["C:/a/b", "C:\\a\\b"],
        ["c:\\a\\b", "c:\\a\\b"],
        ["c:/a/b/", "c:\\a\\b"],
        ["C:\\a/b\\\\c//d", "C:\\a\\b\\c\\d"],
        ["C:\\a\\b\\", "C:\\a\\b"],
        ["C:\\a\\.\\b\\.", "C:\\a\\b"],
        ["C:\\a\\x\\..\\b", "C:\\a\\b"],
        ["C:\\a\\..", "C:\\"],
        ["C:\\", "C:\\"],
        ["C:/", "C:\\"],
        ["C:\\\\", "C:\\"],
        ["C:\\Layers\\Base", "C:\\Layers\\Base"],
        ["D:\\ünïcødé\\数据\\😀", "D:\\ünïcødé\\数据\\😀"],
        ["C:\\ leading space", "C:\\ leading space"],
        ["C:\\.hidden", "C:\\.hidden"],
        ["C:\\a\u007fb", "C:\\a\u007fb"],
    ])("normalizes %p to %p", (input, expected) => {
        expect(normalized(input)).toBe(expected);
    });

    test("keeps the case of everything, the drive letter too, as hcsshim's filepath.Join does", () => {
        expect(normalized("x:\\MiXeD\\Case")).toBe("x:\\MiXeD\\Case");
        expect(normalized("X:\\MiXeD\\Case")).toBe("X:\\MiXeD\\Case");
    });
});

describe("parseWindowsPath() rejections", () => {
    test("refuses an empty path", () => {
        expect(reason("")).toContain("empty");
    });

    test("refuses NUL anywhere, naming its index", () => {
        expect(reason("C:\\a\u0000b")).toContain("NUL character (U+0000) at index 4");
        expect(reason("\u0000")).toContain("NUL");
    });

    test.each([["C:\\a\nb"], ["C:\\a\tb"], ["C:\\a\u001fb"]])("refuses the control character in %p", (input) => {
        expect(reason(input)).toMatch(/control character U\+00(0A|09|1F)/);
    });

    test("refuses an unpaired surrogate", () => {
        expect(reason("C:\\a\ud800b")).toContain("unpaired UTF-16 surrogate U+D800");
        expect(reason("C:\\a\udc00")).toContain("unpaired UTF-16 surrogate U+DC00");
    });

    test.each([["a\\b"], [".\\a"], ["..\\a"], ["a"], ["layers/base"]])("refuses the relative path %p", (input) => {
        expect(reason(input)).toContain("it is relative");
    });

    test.each([["C:a"], ["C:"], ["c:foo\\bar"]])("refuses the drive-relative path %p and shows the absolute form", (input) => {
        const why = reason(input);
        expect(why).toContain("relative to the current folder of drive C");
        expect(why).toContain(`"C:\\${input.slice(2)}"`);
    });

    test.each([["\\a"], ["/a/b"]])("refuses %p, rooted without a drive", (input) => {
        expect(reason(input)).toContain("rooted without a drive letter");
    });

    test.each([["\\\\server\\share\\a"], ["//server/share"], ["\\\\server"]])("refuses the UNC path %p as not supported", (input) => {
        expect(reason(input)).toContain("UNC paths (\\\\server\\share\\…) are not supported");
    });

    test.each([["\\\\?\\C:\\a"], ["\\\\.\\C:\\a"], ["\\??\\C:\\a"], ["//?/C:/a"], ["\\\\.\\PhysicalDrive0"], ["\\\\?\\UNC\\srv\\share"], ["\\\\?"]])(
        "refuses the device or namespace path %p as not supported",
        (input) => {
            expect(reason(input)).toContain("device and namespace paths (\\\\.\\, \\\\?\\, \\??\\) are not supported");
        },
    );

    test("suggests the plain drive path for a \\\\?\\ path", () => {
        expect(reason("\\\\?\\C:\\layers\\base")).toContain('write the plain drive path "C:\\layers\\base"');
    });

    test.each([["C:\\.."], ["C:\\a\\..\\.."], ["C:\\..\\a"], ["C:/a/../../b"]])("refuses %p, whose .. climbs above the drive root", (input) => {
        expect(reason(input)).toContain('a ".." component climbs above the drive root C:\\');
    });

    test.each([["<"], [">"], [":"], ['"'], ["|"], ["?"], ["*"]])("refuses the character %p in a name", (ch) => {
        expect(reason(`C:\\a${ch}b`)).toContain(`contains '${ch}', which Windows does not allow in file names`);
    });

    test("refuses an alternate data stream suffix", () => {
        expect(reason("C:\\a\\file.txt:stream")).toContain("contains ':'");
    });

    test.each([
        ["CON"],
        ["con"],
        ["PRN"],
        ["AUX"],
        ["NUL"],
        ["nul.txt"],
        ["COM1"],
        ["com9.log"],
        ["LPT1"],
        ["lpt9"],
        ["COM\u00b9"],
        ["LPT\u00b3.x"],
        ["CON .txt"],
        ["aux.tar.gz"],
    ])("refuses the reserved device name %p as a component", (name) => {
        expect(reason(`C:\\layers\\${name}\\x`)).toContain("reserved device name");
    });

    test.each([["CONSOLE"], ["nul_"], ["COM10"], ["LPT"], ["xcon"], ["con-1"]])("accepts %p, which only looks like a device name", (name) => {
        expect(normalized(`C:\\${name}`)).toBe(`C:\\${name}`);
    });

    test.each([["C:\\a.\\b"], ["C:\\a\\b."], ["C:\\a \\b"], ["C:\\a\\b "], ["C:\\..."], ["C:\\a\\. "]])(
        "refuses %p, whose name ends with a dot or space Windows would strip",
        (input) => {
            expect(reason(input)).toMatch(/ends with a (dot|space), which Windows silently strips/);
        },
    );

    test("checks names that a later .. removes", () => {
        expect(reason("C:\\bad|name\\..\\ok")).toContain("contains '|'");
    });

    test("accepts a path of exactly the maximum length and refuses one character more", () => {
        const longest = `C:\\${"a".repeat(MAX_WINDOWS_PATH_LENGTH - 3)}`;
        expect(normalized(longest)).toBe(longest);
        expect(reason(`${longest}b`)).toContain(`it is ${MAX_WINDOWS_PATH_LENGTH + 1} characters long after normalization`);
    });

    test("measures the length after normalization", () => {
        const padded = `C:\\${"a".repeat(MAX_WINDOWS_PATH_LENGTH - 3)}\\.\\\\\\x\\..`;
        expect(normalized(padded)).toHaveLength(MAX_WINDOWS_PATH_LENGTH);
    });
});

describe("normalizeWindowsPath()", () => {
    test("returns the normalized path", () => {
        expect(normalizeWindowsPath("c:/a/b/")).toBe("c:\\a\\b");
    });

    test("throws a RangeError carrying the reason", () => {
        expect(() => normalizeWindowsPath("\\\\srv\\s")).toThrow(/Cannot use "\\\\srv\\s" as a Windows path: UNC paths/);
    });
});

describe("isNormalizedWindowsPath()", () => {
    test("is true only for the normalized spelling", () => {
        expect(isNormalizedWindowsPath("C:\\a\\b")).toBe(true);
        expect(isNormalizedWindowsPath("C:\\")).toBe(true);
        expect(isNormalizedWindowsPath("c:\\a")).toBe(true);
        expect(isNormalizedWindowsPath("C:/a")).toBe(false);
        expect(isNormalizedWindowsPath("C:\\a\\")).toBe(false);
        expect(isNormalizedWindowsPath("C:\\a\\..\\b")).toBe(false);
        expect(isNormalizedWindowsPath("a")).toBe(false);
    });
});

describe("joinWindowsPath()", () => {
    test("joins names with one backslash", () => {
        expect(joinWindowsPath("C:\\layers\\base", "UtilityVM", "Files")).toBe("C:\\layers\\base\\UtilityVM\\Files");
    });

    test("does not double the separator after a drive root", () => {
        expect(joinWindowsPath("C:\\", "sandbox.vhdx")).toBe("C:\\sandbox.vhdx");
    });

    test.each([[""], ["."], [".."], ["a\\b"], ["a/b"]])("refuses the name %p", (name) => {
        expect(() => joinWindowsPath("C:\\a", name)).toThrow(TypeError);
    });
});

describe("windowsPathKey()", () => {
    test("makes paths that differ only in case equal", () => {
        expect(windowsPathKey("C:\\Layers\\Base")).toBe(windowsPathKey("C:\\LAYERS\\base"));
        expect(windowsPathKey("C:\\Ünï")).toBe(windowsPathKey("C:\\üNÏ"));
    });

    test("keeps characters whose upper case is longer, as NTFS's one-to-one table does", () => {
        expect(windowsPathKey("C:\\straße")).toBe("C:\\STRAßE");
        expect(windowsPathKey("C:\\strasse")).not.toBe(windowsPathKey("C:\\straße"));
    });
});
