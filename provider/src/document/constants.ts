import { NIL_GUID } from "../model/guid";
import type { Version } from "./schema";

/**
 * SCSI controller IDs by controller number (hcsshim `guestrequest.ScsiControllerGuids`): UUIDv5 of
 * the names "0".."3" in namespace d422512d-2bf2-4752-809d-7b82b5fcb1b4, so the guest finds each
 * controller at a known ID.
 */
export const SCSI_CONTROLLER_GUIDS: readonly string[] = [
    "df6d0690-79e5-55b6-a5ec-c1e2f77f580a",
    "0110f83b-de10-5172-a266-78bca56bf50a",
    "b5d2d8d4-3a75-51bf-945b-3444dc6b8579",
    "305891a9-b251-5dfe-91a2-c25d9212275b",
];

/** hcsshim `schemaversion.SchemaV21()`, used for WCOW utility VMs; needs build 17763 (RS5) or later. */
export const SCHEMA_VERSION_2_1: Readonly<Version> = { Major: 2, Minor: 1 };

/** The UEFI boot entry: bootmgfw.efi on the `os` VSMB share. */
export const BOOT_DEVICE_TYPE = "VmbFs";
export const BOOT_DEVICE_PATH = "\\EFI\\Microsoft\\Boot\\bootmgfw.efi";

/**
 * Default bind security descriptor for Hyper-V sockets: a protected DACL giving full access to
 * SYSTEM and built-in Administrators only.
 */
export const HVSOCKET_DEFAULT_BIND_SECURITY_DESCRIPTOR = "D:P(A;;FA;;;SY)(A;;FA;;;BA)";

/** hcsshim hard-codes this VSMB direct file mapping size ("a sensible default"). */
export const VSMB_DIRECT_FILE_MAPPING_IN_MB = 1024;

/** The VSMB share the UVM boots from: `<uvmFolder>\UtilityVM\Files`. */
export const UVM_OS_SHARE_NAME = "os";

/** Resource paths for modify requests (hcsshim `internal/hcs/resourcepaths`). */
export const CPU_LIMITS_RESOURCE_PATH = "VirtualMachine/ComputeTopology/Processor/Limits";
export const CPU_GROUP_RESOURCE_PATH = "VirtualMachine/ComputeTopology/Processor/CpuGroup";
export const MEMORY_SIZE_RESOURCE_PATH = "VirtualMachine/ComputeTopology/Memory/SizeInMB";
export const VSMB_SHARES_RESOURCE_PATH = "VirtualMachine/Devices/VirtualSmb/Shares";

/**
 * The CPU group a VM is moved to when it leaves its group (hcsshim `cpugroup.NullGroupID`); a VM must
 * pass through it before joining another group.
 */
export const NULL_CPU_GROUP_ID = NIL_GUID;
