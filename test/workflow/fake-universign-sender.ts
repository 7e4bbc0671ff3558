/**
 * An in-memory Universign draft for the send workflow's tests: counts what each call did, and
 * plays scripted faults per call: `fail` (503 before doing anything), `lost` (does it, then 503:
 * an answer lost on the way back), `refuse` (401, permanent).
 */
import type { UniversignClient, UniversignCreated, UniversignJson } from '../../activities/universign-client';
import { UniversignAuthError, UniversignUnavailableError } from '../../activities/universign-errors';

export type Fault = 'fail' | 'lost' | 'refuse';
type Call = 'createTransaction' | 'addDocument' | 'addSignatureField' | 'addSignature' | 'upsertParticipant' | 'startTransaction';

export interface FakeUniversignSender {
  client: UniversignClient;
  faults: Partial<Record<Call, Fault[]>>;
  created: number;
  documents: Array<{ id: string; name: string }>;
  fields: string[];
  signatures: Array<{ signer: string; field: string }>;
  participants: Map<string, { fullName?: string; phoneNumber?: string }>;
  state: string;
  /** POSTs that reached the draft (lost ones included), and GETs. */
  calls: string[];
}

export function createFakeUniversignSender(transactionId: string): FakeUniversignSender {
  const fake: FakeUniversignSender = {
    faults: {},
    created: 0,
    documents: [],
    fields: [],
    signatures: [],
    participants: new Map(),
    state: 'draft',
    calls: [],
    client: undefined as unknown as UniversignClient,
  };
  /** Runs `work` under the next scripted fault of `call`. */
  async function perform<T>(call: Call, work: () => T): Promise<T> {
    const fault = fake.faults[call]?.shift();
    const context = { method: 'POST', path: `/fake/${call}` };
    if (fault === 'fail') throw new UniversignUnavailableError({ ...context, status: 503 });
    if (fault === 'refuse') throw new UniversignAuthError({ ...context, status: 401 });
    fake.calls.push(call);
    const result = work();
    if (fault === 'lost') throw new UniversignUnavailableError({ ...context, reason: 'answer lost' });
    return result;
  }
  const created = (id: string): UniversignCreated => ({ id });
  const unused = async (): Promise<never> => {
    throw new Error('not used by the send workflow');
  };
  fake.client = {
    async getTransaction(id): Promise<UniversignJson> {
      fake.calls.push('getTransaction');
      return {
        id,
        state: fake.state,
        documents: fake.documents.map((doc) => ({ ...doc })),
        participants: [...new Set(fake.signatures.map((each) => each.signer)), ...fake.participants.keys()].map((email) => ({ email })),
      };
    },
    createTransaction: () =>
      perform('createTransaction', () => {
        fake.created += 1;
        return created(transactionId);
      }),
    addDocument: (_tx, _file, name) =>
      perform('addDocument', () => {
        const document = { id: `doc_${fake.documents.length + 1}`, name: name ?? 'document.pdf' };
        fake.documents.push(document);
        return created(document.id);
      }),
    addSignatureField: () =>
      perform('addSignatureField', () => {
        const id = `fld_${fake.fields.length + 1}`;
        fake.fields.push(id);
        return created(id);
      }),
    addSignature: (_tx, { signer, field }) =>
      perform('addSignature', () => {
        fake.signatures.push({ signer, field });
        return { signer, field };
      }),
    upsertParticipant: (_tx, { email, ...details }) =>
      perform('upsertParticipant', () => {
        fake.participants.set(email, details);
        return { email };
      }),
    startTransaction: (id) =>
      perform('startTransaction', () => {
        if (fake.state !== 'draft') throw new Error(`started twice: ${id} is ${fake.state}`);
        fake.state = 'started';
        return { id, state: 'started' };
      }),
    uploadFile: unused,
    cancelTransaction: unused,
    downloadSignedDocument: unused,
    downloadEvidence: unused,
  };
  return fake;
}
