import { closest } from './did-you-mean';
import { error, Finding } from './finding';

/** Whether `Intl` accepts the name as a time zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function resolvedZone(name: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

/**
 * Whether two names run on the same zone (an alias or ICU abbreviation and its IANA name: CST and America/Chicago,
 * Asia/Kolkata and Asia/Calcutta), so that renaming one to the other changes no business date.
 */
export function sameTimeZone(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return resolvedZone(a) === resolvedZone(b);
  } catch {
    return false;
  }
}

/**
 * ICU's three-letter ids (Java's old `TimeZone` short ids), which Intl takes but the IANA database does not have:
 * CST runs on America/Chicago, BST on Asia/Dhaka, ECT on Europe/Paris. IANA's own EST, MST and HST are not here.
 */
const ABBREVIATIONS = new Set(
  'ACT AET AGT ART AST BET BST CAT CNT CST CTT EAT ECT IET IST JST MIT NET NST PLT PNT PRT PST SST VST'.split(
    ' ',
  ),
);

/** What the ambiguous ones usually mean to the person who wrote them. */
const USUALLY_MEANT: Readonly<Record<string, string>> = {
  CST: 'China Standard Time is Asia/Shanghai, US Central Time America/Chicago',
  IST: 'India Standard Time is Asia/Kolkata, Israel Asia/Jerusalem, Irish Europe/Dublin',
  BST: 'British Summer Time is Europe/London',
  AST: 'Atlantic Standard Time is America/Halifax',
  ECT: 'Ecuador Time is America/Guayaquil',
  NST: 'Newfoundland Standard Time is America/St_Johns',
  SST: 'Samoa Standard Time is Pacific/Pago_Pago',
};

/** Places people write that have no zone of their own, by lower-case name: the zone they keep. */
const CITY_ZONES: Readonly<Record<string, { zone: string; region: string }>> = Object.fromEntries([
  ...[
    'china',
    'beijing',
    'peking',
    'guangzhou',
    'shenzhen',
    'hangzhou',
    'chengdu',
    'wuhan',
    'nanjing',
    'xian',
  ].map((city) => [city, { zone: 'Asia/Shanghai', region: 'all of China' }]),
  ...['india', 'delhi', 'new_delhi', 'mumbai', 'bombay', 'bangalore', 'bengaluru', 'chennai'].map((city) => [
    city,
    { zone: 'Asia/Kolkata', region: 'all of India' },
  ]),
]);

const PLACE = 'the IANA name of the place whose business day the campaign follows';

function abbreviation(timezone: string): Finding | null {
  const upper = timezone.toUpperCase();
  if (!ABBREVIATIONS.has(upper)) return null;
  const zone = resolvedZone(timezone);
  const meant = USUALLY_MEANT[upper];
  const what = meant === undefined ? `: write ${PLACE}, e.g. ${zone}` : `; ${meant}: write ${PLACE}`;
  return error(
    ['timezone'],
    `time zone "${timezone}" is an abbreviation, not an IANA name, and would run on ${zone}${what}`,
  );
}

/**
 * Intl accepts any letter case ("asia/shanghai"), but the ledger stores the name as written and a publish compares
 * it: only the IANA spelling is taken, so that one zone has one name. Aliases (Asia/Calcutta) stay valid.
 */
function miscased(timezone: string): string | null {
  const resolved = resolvedZone(timezone);
  return resolved !== timezone && resolved.toLowerCase() === timezone.toLowerCase() ? resolved : null;
}

const OFFSET = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** What to write instead of an unknown name: the zone of a known city, an offset's Etc zone, a near spelling. */
function unknownHint(timezone: string): string {
  const place = CITY_ZONES[(timezone.split('/').pop() ?? '').toLowerCase().replace(/[\s-]+/g, '_')];
  if (place !== undefined)
    return `; ${place.region} keeps the time of ${place.zone}: write timezone: ${place.zone}`;
  const offset = OFFSET.exec(timezone.trim());
  if (offset) {
    const [, sign = '+', hours = '0', minutes = '00'] = offset;
    const hh = hours.padStart(2, '0');
    const etc =
      minutes === '00' && Number(hours) <= (sign === '+' ? 14 : 12)
        ? `, or Etc/GMT${sign === '+' ? '-' : '+'}${Number(hours)} for a fixed UTC${sign}${hh}:00 (Etc names invert the sign)`
        : '';
    return `: an offset is not a zone; write ${PLACE} (e.g. Asia/Shanghai)${etc}`;
  }
  const suggestion = closest(timezone, Intl.supportedValuesOf('timeZone'));
  return suggestion ? ` (did you mean "${suggestion}"?)` : '; use an IANA name such as Asia/Shanghai or UTC';
}

/**
 * The campaign's `timezone` must be an IANA name in its IANA spelling. Intl alone is not enough: it also takes
 * ICU's abbreviations, so `CST` (meant as China Standard Time) passed and ran daily limits on Chicago's day.
 */
export function checkTimeZone(timezone: string): Finding[] {
  if (!isTimeZone(timezone))
    return [error(['timezone'], `unknown IANA time zone "${timezone}"${unknownHint(timezone)}`)];
  const short = abbreviation(timezone);
  if (short !== null) return [short];
  const spelled = miscased(timezone);
  return spelled === null
    ? []
    : [
        error(
          ['timezone'],
          `time zone "${timezone}" must be spelled "${spelled}" (IANA names are case-sensitive)`,
        ),
      ];
}
