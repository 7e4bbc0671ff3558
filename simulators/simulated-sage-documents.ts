/**
 * The Sage 100 documents the gateway simulator holds: quotes, orders and others with their free
 * fields and status, and the quote → order transformation (a new `commande` numbered BC000001…,
 * the quote marked `transforme`, both linked). Tests seed and read them; the routes act on them.
 */
import type { SageDocumentRef } from '../activities/sync-contracts';
import { type Answer, HttpError } from './sage-gateway-simulator-http';

/** Conventional statuses: `en_cours` (open), `transforme` (a quote converted into an order). */
export type SimulatedSageStatus = 'en_cours' | 'transforme' | (string & {});

export interface SimulatedSageDocument extends SageDocumentRef {
  status: SimulatedSageStatus;
  freeFields: Record<string, unknown>;
  /** On a transformed quote: the order it became. */
  transformedTo?: SageDocumentRef;
  /** On an order created by a transformation: the quote it came from. */
  transformedFrom?: SageDocumentRef;
}

export interface SeedSageDocumentInput {
  /** Default `devis`. */
  type?: string;
  number: string;
  /** Default `en_cours`. */
  status?: SimulatedSageStatus;
  freeFields?: Record<string, unknown>;
}

export interface SimulatedSageOrder {
  from: SageDocumentRef;
  order: SageDocumentRef;
  idempotencyKey: string;
}

export const ORDER_TYPE = 'commande';

export class SimulatedSageDocuments {
  private readonly documents = new Map<string, SimulatedSageDocument>();
  private readonly orderLog: SimulatedSageOrder[] = [];
  private orderSequence = 0;

  /** Document types that can be transformed into an order. */
  constructor(private readonly quoteTypes: Set<string>) {}

  /** Creates (or replaces) a document; returns a copy. */
  seed({ type = 'devis', number, status = 'en_cours', freeFields = {} }: SeedSageDocumentInput): SimulatedSageDocument {
    const document: SimulatedSageDocument = { type, number, status, freeFields: structuredClone(freeFields) };
    this.documents.set(key(type, number), document);
    return structuredClone(document);
  }

  /** A copy of the stored document, or undefined. */
  copy(type: string, number: string): SimulatedSageDocument | undefined {
    const document = this.documents.get(key(type, number));
    return document && structuredClone(document);
  }

  /** Orders created by transformations, oldest first (a copy). */
  orders(): SimulatedSageOrder[] {
    return structuredClone(this.orderLog);
  }

  /** The stored document itself, or a 404. */
  find(type: string, number: string): SimulatedSageDocument {
    const document = this.documents.get(key(type, number));
    if (!document) throw new HttpError(404, 'document_not_found', `document ${type} ${number} not found`);
    return document;
  }

  transform(source: SimulatedSageDocument, idempotencyKey: string): Answer {
    if (!this.quoteTypes.has(source.type)) {
      throw new HttpError(422, 'not_transformable', `a ${source.type} cannot be transformed into an order`);
    }
    if (source.transformedTo) {
      return {
        status: 409,
        body: {
          error: 'already_transformed',
          message: `document ${source.type} ${source.number} was already transformed`,
          existing: { ...source.transformedTo },
        },
      };
    }
    const order: SageDocumentRef = { type: ORDER_TYPE, number: this.nextOrderNumber() };
    const from: SageDocumentRef = { type: source.type, number: source.number };
    this.documents.set(key(order.type, order.number), {
      ...order,
      status: 'en_cours',
      freeFields: structuredClone(source.freeFields),
      transformedFrom: from,
    });
    source.status = 'transforme';
    source.transformedTo = order;
    this.orderLog.push({ from, order, idempotencyKey });
    return { status: 200, body: { ...order } };
  }

  private nextOrderNumber(): string {
    let number: string;
    do {
      this.orderSequence += 1;
      number = `BC${String(this.orderSequence).padStart(6, '0')}`;
    } while (this.documents.has(key(ORDER_TYPE, number)));
    return number;
  }
}

function key(type: string, number: string): string {
  return `${type}\u0000${number}`;
}
