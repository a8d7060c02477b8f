import koffi, { type KoffiFunc, type TypeObject } from "koffi";
import type { SystemTime, TimeZoneInformation } from "../gcs/protocol";

/**
 * This Windows machine's time zone, as hcsshim's `getTimezone` reads it for the guest
 * (`internal/uvm/timezone.go`): kernel32's GetTimeZoneInformation, converted field by field to the
 * HCS schema's TimeZoneInformation.
 *
 *     typedef struct _TIME_ZONE_INFORMATION { LONG Bias; WCHAR StandardName[32]; SYSTEMTIME StandardDate;
 *         LONG StandardBias; WCHAR DaylightName[32]; SYSTEMTIME DaylightDate; LONG DaylightBias; } TIME_ZONE_INFORMATION;
 *
 * The conformance test compares this layout with mingw-w64's <windows.h>.
 */
export const GET_TIME_ZONE_INFORMATION_PROTOTYPE = "DWORD WINAPI GetTimeZoneInformation(LPTIME_ZONE_INFORMATION lpTimeZoneInformation)";

/** `TIME_ZONE_ID_INVALID`: GetTimeZoneInformation's failure. */
const TIME_ZONE_ID_INVALID = 0xffffffff;

export function timeZoneInformationType(): TypeObject {
    const SYSTEMTIME = once("SYSTEMTIME", () => koffi.struct("SYSTEMTIME", {
        wYear: "uint16_t", wMonth: "uint16_t", wDayOfWeek: "uint16_t", wDay: "uint16_t",
        wHour: "uint16_t", wMinute: "uint16_t", wSecond: "uint16_t", wMilliseconds: "uint16_t",
    }));
    return once("TIME_ZONE_INFORMATION", () => koffi.struct("TIME_ZONE_INFORMATION", {
        Bias: "int32_t",
        StandardName: koffi.array("char16_t", 32, "String"),
        StandardDate: SYSTEMTIME,
        StandardBias: "int32_t",
        DaylightName: koffi.array("char16_t", 32, "String"),
        DaylightDate: SYSTEMTIME,
        DaylightBias: "int32_t",
    }));
}

function once(name: string, create: () => TypeObject): TypeObject {
    try {
        return koffi.type(name);
    } catch {
        return create();
    }
}

interface SystemTimeFields {
    wYear: number; wMonth: number; wDayOfWeek: number; wDay: number; wHour: number; wMinute: number; wSecond: number; wMilliseconds: number;
}

interface TimeZoneFields {
    Bias: number; StandardName: string; StandardDate: SystemTimeFields; StandardBias: number;
    DaylightName: string; DaylightDate: SystemTimeFields; DaylightBias: number;
}

let getTimeZoneInformation: KoffiFunc<(out: [TimeZoneFields | null]) => number> | undefined;

/**
 * Reads this machine's time zone.
 * @throws Error `failed to get time zone information` (hcsshim's text) when kernel32 fails.
 */
export function windowsTimeZone(): TimeZoneInformation {
    timeZoneInformationType();
    // The header's line, in koffi's types: DWORD is uint32_t, the pointer an out-parameter.
    getTimeZoneInformation ??= koffi.load("kernel32.dll").func(GET_TIME_ZONE_INFORMATION_PROTOTYPE
        .replace(/\bWINAPI\b/, "__stdcall").replace(/\bDWORD\b/, "uint32_t")
        .replace(/\bLPTIME_ZONE_INFORMATION\b/, "_Out_ TIME_ZONE_INFORMATION *"));
    const out: [TimeZoneFields | null] = [null];
    const id = getTimeZoneInformation(out);
    if (id === TIME_ZONE_ID_INVALID || out[0] === null) throw new Error("failed to get time zone information: GetTimeZoneInformation returned TIME_ZONE_ID_INVALID");
    return toHcsTimeZone(out[0]);
}

/** hcsshim's tziToHCSSchema: the names up to their NUL, the dates field by field. */
export function toHcsTimeZone(tzi: TimeZoneFields): TimeZoneInformation {
    const date = (t: SystemTimeFields): SystemTime => ({
        Year: t.wYear, Month: t.wMonth, DayOfWeek: t.wDayOfWeek, Day: t.wDay, Hour: t.wHour, Minute: t.wMinute, Second: t.wSecond, Milliseconds: t.wMilliseconds,
    });
    return {
        Bias: tzi.Bias,
        StandardName: tzi.StandardName.split("\0")[0]!,
        StandardDate: date(tzi.StandardDate),
        StandardBias: tzi.StandardBias,
        DaylightName: tzi.DaylightName.split("\0")[0]!,
        DaylightDate: date(tzi.DaylightDate),
        DaylightBias: tzi.DaylightBias,
    };
}
