/**
 * What Windows refuses or changes in a single name (a file or folder name, one path component), per
 * Microsoft's "Naming Files, Paths, and Namespaces". Used for path components and for the compute
 * system ID, which Windows tools and HCS use as a name too.
 */

/** The characters Windows forbids in names, besides `\`, `/` and control characters. */
export const INVALID_NAME_CHARACTERS = '<>:"|?*';

const INVALID_NAME_CHARACTER = /[<>:"|?*]/;
// A name whose part before the first dot (trailing spaces ignored) is one of these opens the device,
// not a file: `con`, `NUL.txt`, `com1.tar.gz`. ¹²³ count as digits for COM and LPT.
const RESERVED_NAME = /^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])$/i;

/** The first character of `name` Windows forbids in names (`< > : " | ? *`), or undefined. */
export function invalidNameCharacter(name: string): string | undefined {
    return INVALID_NAME_CHARACTER.exec(name)?.[0];
}

/** The reserved device name `name` opens (upper case, like `CON` or `COM1`), or undefined. */
export function reservedDeviceName(name: string): string | undefined {
    const stem = (name.split(".")[0] ?? "").replace(/ +$/, "");
    return RESERVED_NAME.test(stem) ? stem.toUpperCase() : undefined;
}
