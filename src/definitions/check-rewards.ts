import type { CampaignDefinition, RewardDefinition } from './campaign-types';
import { currencyCodesList, minorDigits, notMoney } from '../shared/currency';
import { formatMoney } from '../shared/money';
import { didYouMean } from './did-you-mean';
import { describeValue } from './describe-value';
import { error, Finding, warning } from './finding';
import type { DocPath } from './finding';
import { duplicateIdFindings } from './first-occurrences';

function isMinorUnits(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function moneyFinding(path: DocPath, value: unknown): Finding[] {
  return value === undefined || isMinorUnits(value)
    ? []
    : [error(path, `must be an integer number of minor units (got ${describeValue(value)})`)];
}

/** What one grant of the reward can charge to the budget at most: amount.max for red packets, else cost. */
function maximumCharge(reward: RewardDefinition): number {
  if (reward.type === 'red_packet') return reward.amount.max;
  if (reward.type === 'none') return 0;
  return reward.cost;
}

/**
 * Everyday names of currencies that are not their ISO 4217 codes, with the code and whose it is. The nearest
 * spelling is another country's money: RMB is one letter from RUB (the Russian rouble), NTD from NAD, YEN from PEN.
 */
const FAMILIAR_CURRENCIES: Readonly<Record<string, string>> = {
  RMB: 'CNY, the renminbi',
  CNH: 'CNY (CNH is the offshore renminbi, no ISO 4217 code)',
  NTD: 'TWD, the New Taiwan dollar',
  YEN: 'JPY, the yen',
  WON: 'KRW, the South Korean won',
  UKP: 'GBP, the pound sterling',
  STG: 'GBP, the pound sterling',
  RUR: 'RUB, the rouble (RUR was withdrawn in 1998)',
  SFR: 'CHF, the Swiss franc',
};

/** Codes ISO 4217 withdrew, which a copied template or an older system still holds, with what replaced them. */
const WITHDRAWN_CURRENCIES: Readonly<Record<string, string>> = {
  HRK: 'EUR (the Croatian kuna was replaced by the euro in 2023)',
  EEK: 'EUR (the Estonian kroon was replaced by the euro in 2011)',
  LVL: 'EUR (the Latvian lats was replaced by the euro in 2014)',
  LTL: 'EUR (the Lithuanian litas was replaced by the euro in 2015)',
  BYR: 'BYN, the Belarusian rouble since 2016',
  VEF: 'VES, the bolívar soberano since 2018',
  MRO: 'MRU, the ouguiya since 2018',
  STD: 'STN, the dobra since 2018',
  ZMK: 'ZMW, the Zambian kwacha since 2013',
};

/** A code of the ISO 4217 list: its minor unit is what every amount counts (a typo such as CNX is not one). */
function currencyFinding(currency: string | undefined): Finding[] {
  if (currency === undefined) return [];
  const unit = notMoney(currency);
  if (unit !== undefined) {
    return [
      error(
        ['budget', 'currency'],
        `"${currency}" is the ISO 4217 code for ${unit}, not money a budget is paid in: write the currency the rewards are paid in (e.g. CNY, USD, EUR)`,
      ),
    ];
  }
  if (minorDigits(currency) !== null) return [];
  const replaced = WITHDRAWN_CURRENCIES[currency];
  if (replaced !== undefined) {
    return [
      error(
        ['budget', 'currency'],
        `"${currency}" is no longer an ISO 4217 currency code: write ${replaced}`,
      ),
    ];
  }
  const familiar = FAMILIAR_CURRENCIES[currency];
  const hint = familiar === undefined ? didYouMean(currency, currencyCodesList()) : `: write ${familiar}`;
  return [error(['budget', 'currency'], `"${currency}" is not an ISO 4217 currency code${hint}`)];
}

/**
 * Two amounts of minor units as a person reads them, ` (64,000.00 CNY > 2,000.00 CNY)`, beside the YAML's own
 * figures, as publish's budget refusals give them; nothing without a known currency.
 */
function inCurrency(above: number, limit: number, currency: string | undefined): string {
  if (currency === undefined || minorDigits(currency) === null || notMoney(currency) !== undefined) return '';
  return ` (${formatMoney(above, currency)} > ${formatMoney(limit, currency)})`;
}

/** What one grant of the reward charges to the budget at least: amount.min for red packets, else cost. */
function minimumCharge(reward: RewardDefinition): number {
  if (reward.type === 'red_packet') return reward.amount.min;
  if (reward.type === 'none') return 0;
  return reward.cost;
}

/** A reward whose cheapest grant costs more than a budget limit can never be granted. */
function unaffordable(reward: RewardDefinition, at: DocPath, budget: Budget): Finding[] {
  const charge = minimumCharge(reward);
  if (!budget || !isMinorUnits(charge)) return [];
  for (const limit of ['total', 'daily'] as const) {
    const amount = budget[limit];
    if (!isMinorUnits(amount) || charge <= amount) continue;
    const cheapest = reward.type === 'red_packet' ? 'amount.min' : 'cost';
    return [
      error(
        at,
        `reward ${reward.id} can never be granted: its ${cheapest} (${charge}) is above budget.${limit} (${amount})${inCurrency(charge, amount, budget.currency)}; lower it or raise the budget`,
      ),
    ];
  }
  return [];
}

type Budget = CampaignDefinition['budget'];

function checkReward(reward: RewardDefinition, index: number, budget: Budget): Finding[] {
  const at = ['rewards', index];
  const findings: Finding[] = [];
  if (reward.type === 'red_packet') {
    findings.push(...moneyFinding([...at, 'amount', 'min'], reward.amount.min));
    findings.push(...moneyFinding([...at, 'amount', 'max'], reward.amount.max));
    if (reward.amount.min > reward.amount.max) {
      const { min, max } = reward.amount;
      findings.push(error([...at, 'amount'], `min (${min}) must not be greater than max (${max})`));
    }
  } else if (reward.type !== 'none') {
    for (const key of ['value', 'minSpend', 'cost'] as const)
      findings.push(...moneyFinding([...at, key], reward[key]));
  }
  const never = unaffordable(reward, at, budget);
  if (never.length > 0) return [...findings, ...never];
  const budgetTotal = budget?.total;
  if (reward.type !== 'none' && reward.stock !== undefined && budgetTotal !== undefined) {
    const charge = maximumCharge(reward);
    const worst = reward.stock * charge;
    if (worst > budgetTotal) {
      const detail = `stock × maximum charge (${reward.stock} × ${charge} = ${worst}) is above budget.total (${budgetTotal})${inCurrency(worst, budgetTotal, budget?.currency)}`;
      findings.push(warning([...at, 'stock'], `${detail}: the budget can run out before the stock`));
    }
  }
  return findings;
}

/**
 * Reward checks: unique ids, money as integer minor units (also in the budget), amount.min ≤ amount.max, no
 * reward whose cheapest grant is above the total or daily budget, and a warning when a reward's stock could
 * spend more than the total budget.
 */
export function checkRewards(campaign: CampaignDefinition): Finding[] {
  const budget = campaign.budget;
  const findings = [
    ...currencyFinding(budget?.currency),
    ...moneyFinding(['budget', 'total'], budget?.total),
    ...moneyFinding(['budget', 'daily'], budget?.daily),
    ...duplicateIdFindings(
      'reward id',
      campaign.rewards.map((r, i) => ({ id: r.id, path: ['rewards', i, 'id'] })),
    ),
  ];
  campaign.rewards.forEach((reward, i) => findings.push(...checkReward(reward, i, budget)));
  findings.push(...noCurrencyFinding(campaign), ...unboundedFinding(campaign));
  return findings;
}

/**
 * A reward that gives money without a stock, in a campaign without `budget.total`, has nothing bounding what it
 * pays out but the number of users: a red-packet rain whose operator forgot `total` keeps paying. A warning, at
 * the first such reward, naming all of them.
 */
function unboundedFinding(campaign: CampaignDefinition): Finding[] {
  if (campaign.budget?.total !== undefined) return [];
  const unbounded = campaign.rewards.filter((r) => r.type !== 'none' && r.stock === undefined);
  const first = unbounded[0];
  if (first === undefined) return [];
  const ids = unbounded.map((r) => r.id).join(', ');
  const subject = unbounded.length === 1 ? `reward ${ids} has` : `rewards ${ids} have`;
  return [
    warning(
      ['rewards', campaign.rewards.indexOf(first)],
      `${subject} no stock and the campaign no budget.total, so nothing limits what ${unbounded.length === 1 ? 'it pays' : 'they pay'} out but the number of users: set budget.total (or a stock)`,
    ),
  ];
}

/**
 * Amounts are minor units of the budget's currency, so a campaign that gives money without a `budget` has none:
 * its grants carry `currency: null` to the issuer and every report shows bare minor units. A warning, at the
 * first such reward (a budget of `{ currency }` alone sets no limit).
 */
function noCurrencyFinding(campaign: CampaignDefinition): Finding[] {
  if (campaign.budget !== undefined) return [];
  const index = campaign.rewards.findIndex((r) => r.type !== 'none');
  const reward = campaign.rewards[index];
  if (reward === undefined) return [];
  return [
    warning(
      ['rewards', index],
      `reward ${reward.id} gives money but the campaign has no budget, so no currency: its grants reach the issuer with currency null; add one, e.g. budget: { currency: CNY } (a currency alone sets no limit)`,
    ),
  ];
}
