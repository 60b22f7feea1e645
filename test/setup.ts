// Mocha set-up shared by every test file: quiet logs unless asked for.
process.env.LOG_LEVEL ??= 'silent';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
