/**
 * Writes the French e-mail that tells the people concerned a signature transaction has reached a
 * final status (signed, refused, expired). Pure: same input, same message, so a retried
 * notification activity sends exactly what the first attempt would have.
 */

/** Final statuses that call for a notification (a cancellation is the operator's own doing). */
export type NotifiedStatus = 'SIGNE' | 'REFUSE' | 'EXPIRE';

export interface StatusEmailSigner {
  email: string;
  name: string | null;
  /** Participant state as Universign reports it (`open`, `completed`, `refused`, …). */
  state: string;
}

export interface StatusEmailInput {
  status: NotifiedStatus;
  sageDocument: { type: string; number: string } | null;
  transactionId: string;
  transactionName?: string | null;
  signers: StatusEmailSigner[];
  /** When the status was reached (ISO-8601). */
  at: string;
}

export interface StatusEmail {
  subject: string;
  text: string;
  html: string;
}

export type StatusEmailSubjectInput = Pick<StatusEmailInput, 'status' | 'sageDocument' | 'transactionId' | 'transactionName'>;

const PARIS_DATE = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  dateStyle: 'full',
  timeStyle: 'short',
});

/** Sage document types whose noun is feminine, so the past participle agrees ("Commande C12 signée"). */
const FEMININE_TYPE_HEADS = new Set(['commande', 'facture', 'demande', 'préparation', 'livraison']);

const SIGNED_STATES = new Set(['completed', 'signed', 'closed', 'done']);
const REFUSED_STATES = new Set(['refused', 'declined', 'rejected']);
const PENDING_STATES = new Set(['open', 'opened', 'pending', 'waiting', 'todo', 'ready', 'started', 'draft']);
const EXPIRED_STATES = new Set(['expired']);
const CANCELLED_STATES = new Set(['cancelled', 'canceled']);

const STATUS_LABELS: Record<NotifiedStatus, string> = {
  SIGNE: 'signé',
  REFUSE: 'signature refusée',
  EXPIRE: 'demande de signature expirée',
};

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function composeStatusEmail(input: StatusEmailInput): StatusEmail {
  const subject = buildStatusEmailSubject(input);
  const date = formatParisDate(input.at);
  const transaction = describeTransaction(input.transactionId, input.transactionName);
  const signers = input.signers.map((signer) => ({
    who: describeSigner(signer),
    state: describeSignerState(signer.state, input.status),
  }));

  const facts: Array<[string, string]> = [
    ['Document', input.sageDocument ? describeSageDocument(input.sageDocument) : 'aucun document Sage associé'],
    ['Statut', STATUS_LABELS[input.status]],
    ['Date', `${date} (heure de Paris)`],
    ['Transaction Universign', transaction],
  ];

  const lead = leadSentence(input);
  const text = [
    'Bonjour,',
    '',
    lead,
    '',
    ...facts.map(([label, value]) => `${label} : ${value}`),
    '',
    'Signataires :',
    ...(signers.length === 0 ? ['- aucun signataire connu'] : signers.map(({ who, state }) => `- ${who} — ${state}`)),
    '',
    '-- ',
    'Message envoyé automatiquement par la synchronisation Universign ↔ Sage 100.',
    '',
  ].join('\n');

  const html = [
    '<!DOCTYPE html>',
    '<html lang="fr">',
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body>',
    '<p>Bonjour,</p>',
    `<p>${escapeHtml(lead)}</p>`,
    '<table>',
    ...facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    '<p>Signataires :</p>',
    signers.length === 0
      ? '<p>Aucun signataire connu.</p>'
      : ['<ul>', ...signers.map(({ who, state }) => `<li>${escapeHtml(who)} — ${escapeHtml(state)}</li>`), '</ul>'].join('\n'),
    '<p style="color:#666">Message envoyé automatiquement par la synchronisation Universign ↔ Sage 100.</p>',
    '</body>',
    '</html>',
    '',
  ].join('\n');

  return { subject, text, html };
}

/** `Devis D0042 signé`, `Devis D0042 : signature refusée`, `Devis D0042 : demande de signature expirée`. */
export function buildStatusEmailSubject(input: StatusEmailSubjectInput): string {
  const subjectOf = input.sageDocument
    ? describeSageDocument(input.sageDocument)
    : `Transaction Universign ${describeTransaction(input.transactionId, input.transactionName)}`;
  switch (input.status) {
    case 'SIGNE': {
      const feminine = input.sageDocument === null || isFeminineType(input.sageDocument.type);
      return `${subjectOf} ${feminine ? 'signée' : 'signé'}`;
    }
    case 'REFUSE':
      return `${subjectOf} : signature refusée`;
    case 'EXPIRE':
      return `${subjectOf} : demande de signature expirée`;
  }
}

// "document …" keeps the grammar right whatever the gender of the Sage document type.
function leadSentence(input: StatusEmailInput): string {
  const doc = input.sageDocument
    ? `document ${describeSageDocument(input.sageDocument)}`
    : `document de la transaction Universign ${describeTransaction(input.transactionId, input.transactionName)}`;
  switch (input.status) {
    case 'SIGNE':
      return `Le ${doc} a été signé par tous les signataires.`;
    case 'REFUSE':
      return `La signature du ${doc} a été refusée.`;
    case 'EXPIRE':
      return `La demande de signature du ${doc} a expiré avant d'être signée.`;
  }
}

function describeSageDocument(document: { type: string; number: string }): string {
  return `${capitalize(oneLine(document.type))} ${oneLine(document.number)}`;
}

function describeTransaction(transactionId: string, transactionName: string | null | undefined): string {
  const name = transactionName ? oneLine(transactionName) : '';
  return name ? `« ${name} » (${oneLine(transactionId)})` : oneLine(transactionId);
}

function describeSigner(signer: StatusEmailSigner): string {
  const email = oneLine(signer.email);
  const name = signer.name ? oneLine(signer.name) : '';
  return name ? `${name} <${email}>` : email;
}

/**
 * Universign's participant state in French. An open action means "en attente" while the
 * transaction could still move; once it has expired that signer simply never signed.
 */
function describeSignerState(state: string, status: NotifiedStatus): string {
  const key = state.trim().toLowerCase();
  if (SIGNED_STATES.has(key)) return 'signé';
  if (REFUSED_STATES.has(key)) return 'refusé';
  if (EXPIRED_STATES.has(key)) return 'non signé (demande expirée)';
  if (CANCELLED_STATES.has(key)) return 'annulé';
  if (PENDING_STATES.has(key)) return status === 'EXPIRE' ? 'non signé (demande expirée)' : 'en attente';
  return key === '' || key === 'unknown' ? 'état inconnu' : `état inconnu (${oneLine(state)})`;
}

function isFeminineType(type: string): boolean {
  const head = oneLine(type).toLowerCase().split(' ')[0] ?? '';
  return FEMININE_TYPE_HEADS.has(head);
}

function formatParisDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new TypeError(`composeStatusEmail: "at" is not a valid date: ${iso}`);
  return PARIS_DATE.format(date);
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('fr-FR') + text.slice(1);
}

// Values end up in a Subject header and in list lines: a stray newline would break both.
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}
