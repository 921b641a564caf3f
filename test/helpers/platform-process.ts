// Runs the embedded platform in its own process (options as JSON in PLATFORM_OPTIONS), prints
// "READY <url>" once it listens, and stops when stdin closes: lets a test read what the platform prints.
import { startPlatform } from '../../platform/index.ts';

const platform = await startPlatform(JSON.parse(process.env.PLATFORM_OPTIONS ?? '{}'));
process.stdout.write(`READY ${platform.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void platform.stop().then(() => process.exit(0));
});
