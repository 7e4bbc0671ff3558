/**
 * Runs the Universign simulator as a standalone process (for the demo stack and manual tries).
 * Env: UNIVERSIGN_SIMULATOR_PORT (8300), UNIVERSIGN_SIMULATOR_HOST (127.0.0.1), UNIVERSIGN_API_KEY (sim-key).
 */
import { startUniversignSimulator } from '../simulators/universign-simulator';

const port = Number(process.env.UNIVERSIGN_SIMULATOR_PORT ?? 8300);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`UNIVERSIGN_SIMULATOR_PORT must be a port number, got "${process.env.UNIVERSIGN_SIMULATOR_PORT}"`);
  process.exit(1);
}

const simulator = await startUniversignSimulator({
  apiKey: process.env.UNIVERSIGN_API_KEY || 'sim-key',
  port,
  host: process.env.UNIVERSIGN_SIMULATOR_HOST || '127.0.0.1',
});
console.log(`Universign simulator listening: API ${simulator.url}, control ${simulator.controlUrl}`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`Universign simulator: ${signal} received, closing`);
  await simulator.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
