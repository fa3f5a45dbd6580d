/**
 * MC protocol end codes and their meanings, after the MELSEC Q/L Ethernet
 * interface manual (MC protocol) and the SLMP reference manual. A PLC answers
 * with a non-zero end code when it refuses a request; these sentences are what
 * a plant engineer reads in logs and in the `plc` command's errors.
 */
export const END_CODE_MEANINGS: ReadonlyMap<number, string> = new Map([
  [0x0055, "online change (RUN write) is disabled, so the CPU refused to write while in RUN"],
  [0x4013, "the operation cannot be done while the CPU is running: stop it first"],
  [0xc050, "ASCII data that cannot be converted to binary was received"],
  [0xc051, "the number of read or write points is outside the allowable range"],
  [0xc052, "the number of read or write points is outside the allowable range"],
  [0xc053, "the number of read or write points is outside the allowable range"],
  [0xc054, "the number of read or write points is outside the allowable range"],
  [0xc055, "the number of file data read or write points is outside the allowable range"],
  [0xc056, "the request exceeds the device's maximum address"],
  [0xc057, "the request data length does not match the number of data in the character part"],
  [
    0xc058,
    "the request data length after ASCII-to-binary conversion does not match the number of data",
  ],
  [0xc059, "the command or subcommand is wrong, or the CPU does not support it"],
  [0xc05a, "the device cannot be read or written (wrong device code)"],
  [0xc05b, "the device cannot be read or written (wrong device code or access)"],
  [0xc05c, "the request is wrong (for example bit-unit access to a word device)"],
  [0xc05d, "monitor registration was not performed"],
  [
    0xc05e,
    "the communication time between the interface and the CPU exceeded the monitoring timer",
  ],
  [0xc05f, "the request cannot be executed by the target CPU module"],
  [0xc060, "the request is wrong (for example an invalid value for a bit device)"],
  [0xc061, "the request data length does not match the number of data"],
  [0xc06f, "the request frame's communication code (ASCII or binary) does not match the setting"],
  [0xc070, "device memory extension cannot be specified for the target station"],
  [0xc0b5, "the CPU cannot handle the specified data"],
  [0xc200, "the remote password is wrong"],
  [0xc201, "the port is locked by a remote password"],
]);

/** Formats an end code as the four upper-case hex digits the manual uses. */
export function formatEndCode(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, "0");
}

/** The manual's meaning of an end code, or a generic sentence for unknown codes. */
export function endCodeMeaning(code: number): string {
  return END_CODE_MEANINGS.get(code) ??
    "the PLC reported an error (see the CPU or interface module manual for this end code)";
}
