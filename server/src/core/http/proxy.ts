// Which proxy a registry request goes through. Pure so that the rules (which are easy to get subtly
// wrong) are unit-tested without sockets; the Node transport only applies the answer.

export interface ProxySettings {
  /** An explicit setting (VS Code's http.proxy, the CLI's --proxy): used for every scheme. */
  proxy?: string;
  /** HTTPS_PROXY / https_proxy. */
  httpsProxy?: string;
  /** HTTP_PROXY / http_proxy. */
  httpProxy?: string;
  /** NO_PROXY / no_proxy: comma- or space-separated hosts, .domains, host:port, IPs, CIDRs, or `*`. */
  noProxy?: string;
}

/** The proxy URL for a request URL, or undefined to connect directly. */
export function proxyFor(url: string, settings: ProxySettings): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const chosen =
    nonEmpty(settings.proxy) ??
    (target.protocol === 'https:' ? nonEmpty(settings.httpsProxy) ?? nonEmpty(settings.httpProxy) : target.protocol === 'http:' ? nonEmpty(settings.httpProxy) : undefined);
  if (chosen === undefined) return undefined;
  if (bypassesProxy(target, settings.noProxy)) return undefined;
  // Common in the wild: HTTPS_PROXY=proxy.corp:3128, meaning an http:// proxy.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(chosen) ? chosen : `http://${chosen}`;
}

/** The proxy settings found in an environment (lowercase names win, as in curl). */
export function proxySettingsFromEnv(env: Record<string, string | undefined>): ProxySettings {
  return {
    httpsProxy: nonEmpty(env.https_proxy) ?? nonEmpty(env.HTTPS_PROXY),
    httpProxy: nonEmpty(env.http_proxy) ?? nonEmpty(env.HTTP_PROXY),
    noProxy: nonEmpty(env.no_proxy) ?? nonEmpty(env.NO_PROXY),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** True when NO_PROXY says to connect to this URL directly. */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = normaliseHost(target.hostname);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const rule = raw.trim().toLowerCase();
    if (rule === '') continue;
    if (rule === '*') return true;
    const { ruleHost, rulePort } = splitRule(rule);
    if (rulePort !== undefined && rulePort !== port) continue;
    if (matchesHost(host, ruleHost)) return true;
  }
  return false;
}

function splitRule(rule: string): { ruleHost: string; rulePort?: string } {
  // [v6]:port, [v6], host:port, host; a bare IPv6 address (several colons) has no port.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rule);
  if (bracketed) return { ruleHost: bracketed[1], rulePort: bracketed[2] };
  const colons = rule.split(':').length - 1;
  const withPort = /^(.*):(\d+)$/.exec(rule);
  if (colons === 1 && withPort) return { ruleHost: withPort[1], rulePort: withPort[2] };
  return { ruleHost: rule };
}

function matchesHost(host: string, rawRule: string): boolean {
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(rawRule);
  if (cidr) return inIpv4Cidr(host, cidr[1], Number(cidr[2]));
  let rule = normaliseHost(rawRule);
  // `*.example.com` is a common spelling of `.example.com`.
  if (rule.startsWith('*.')) rule = rule.slice(1);
  if (rule.startsWith('.')) return host.endsWith(rule); // subdomains only, as in Go's httpproxy
  return host === rule || host.endsWith(`.${rule}`); // the domain and its subdomains
}

function normaliseHost(host: string): string {
  let out = host.toLowerCase();
  if (out.startsWith('[') && out.endsWith(']')) out = out.slice(1, -1);
  return out.endsWith('.') ? out.slice(0, -1) : out;
}

function inIpv4Cidr(host: string, network: string, bits: number): boolean {
  const a = ipv4ToInt(host);
  const b = ipv4ToInt(network);
  if (a === undefined || b === undefined || bits > 32) return false;
  if (bits === 0) return true;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function ipv4ToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}
