// Tests exercise warnings on purpose (memory rounding, processor clamps, failed rollbacks); keep
// the provider's pino logs to errors unless the person running the tests asks for more.
process.env.PULUMI_HCS_LOG_LEVEL ??= "error";
