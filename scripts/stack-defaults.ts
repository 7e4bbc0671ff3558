/**
 * What `npm start` uses when the environment says nothing: the development credentials of its
 * simulators and API, and its ports (each overridable by the variable named). `npm run demo`
 * reads the same, so both agree without configuration.
 */

/** Only for the embedded stack; a real deployment sets API_TOKENS. */
export const DEV_API_TOKEN = 'dev-token-change-me-0123456789';
export const SIMULATOR_KEY = 'sim-key';
export const SAGE_SIMULATOR_TOKEN = 'sage-dev-token';

export interface StackPorts {
  api: number;
  universignSimulator: number;
  sageSimulator: number;
  smtpSink: number;
  embeddedDb: number;
  temporal: number;
  temporalUi: number;
}

export function stackPorts(env: NodeJS.ProcessEnv = process.env): StackPorts {
  return {
    api: Number(env.API_PORT ?? 3000),
    universignSimulator: Number(env.UNIVERSIGN_SIMULATOR_PORT ?? 8300),
    sageSimulator: Number(env.SAGE_SIMULATOR_PORT ?? 8400),
    smtpSink: Number(env.SMTP_SINK_PORT ?? 2525),
    embeddedDb: Number(env.EMBEDDED_DB_PORT ?? 54329),
    temporal: Number(env.TEMPORAL_PORT ?? 7233),
    temporalUi: Number(env.TEMPORAL_UI_PORT ?? 8233),
  };
}
