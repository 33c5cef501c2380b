/**
 * Watches every target of a Chromium browser over its own CDP session: the
 * pages, their dedicated workers and the service worker. Playwright reports
 * the pages' console and the requests of pages, workers and service workers,
 * but not what Chromium logs inside a worker: a Content-Security-Policy
 * violation in a worker is a Log entry of that worker's target, never a
 * console call. So this attaches to each target (the non-flattened
 * Target.attachToTarget / sendMessageToTarget protocol, beside Playwright's
 * own flattened sessions) and enables Log and Audits (both also replay what
 * came before they attached: Chromium files CSP violations as DevTools
 * issues) and Network on it.
 */
import type { Browser, CDPSession } from '@playwright/test';

export interface LogEntry {
  targetType: string;
  targetUrl: string;
  source: string;
  level: string;
  text: string;
  url?: string;
}

export interface Issue {
  targetType: string;
  targetUrl: string;
  code: string;
  details: Record<string, unknown>;
}

export interface SeenRequest {
  targetType: string;
  url: string;
}

const WATCHED = new Set(['page', 'iframe', 'worker', 'shared_worker', 'service_worker']);

export class CdpMonitor {
  readonly logs: LogEntry[] = [];
  readonly requests: SeenRequest[] = [];
  /** DevTools issues (Audits): where Chromium files Content-Security-Policy violations today. */
  readonly issues: Issue[] = [];
  /** Every target attached, by type: shows the monitor saw the workers at all. */
  readonly attached: { type: string; url: string }[] = [];
  private readonly sessions = new Map<string, { type: string; url: string }>();
  private readonly byTargetId = new Map<string, { type: string; url: string }>();
  private nextId = 1;

  private constructor(private readonly cdp: CDPSession) {}

  static async start(browser: Browser): Promise<CdpMonitor> {
    const cdp = await browser.newBrowserCDPSession();
    const monitor = new CdpMonitor(cdp);
    cdp.on('Target.targetCreated', (e) => void monitor.attach(e.targetInfo));
    // A worker is announced before its script URL is known: keep the URL current.
    cdp.on('Target.targetInfoChanged', (e) => {
      const target = monitor.byTargetId.get(e.targetInfo.targetId);
      if (target && e.targetInfo.url) target.url = e.targetInfo.url;
    });
    cdp.on('Target.receivedMessageFromTarget', (e) => monitor.onMessage(e.sessionId, e.message));
    await cdp.send('Target.setDiscoverTargets', { discover: true });
    const { targetInfos } = await cdp.send('Target.getTargets');
    await Promise.all(targetInfos.map((t) => monitor.attach(t)));
    return monitor;
  }

  private readonly seen = new Set<string>();

  private async attach(t: { targetId: string; type: string; url: string }): Promise<void> {
    if (!WATCHED.has(t.type) || this.seen.has(t.targetId)) return;
    this.seen.add(t.targetId);
    try {
      const target = { type: t.type, url: t.url };
      this.byTargetId.set(t.targetId, target);
      const { sessionId } = await this.cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
      this.sessions.set(sessionId, target);
      this.attached.push(target);
      for (const method of ['Log.enable', 'Audits.enable', 'Network.enable']) {
        await this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: this.nextId++, method, params: {} }) });
      }
    } catch {
      // A target gone before we reached it (a worker released at once): nothing of it to see.
    }
  }

  private onMessage(sessionId: string, message: string): void {
    const target = this.sessions.get(sessionId);
    if (!target) return;
    const msg = JSON.parse(message) as { method?: string; params?: Record<string, unknown> };
    if (msg.method === 'Log.entryAdded') {
      const entry = (msg.params as { entry: { source: string; level: string; text: string; url?: string } }).entry;
      this.logs.push({ targetType: target.type, targetUrl: target.url, source: entry.source, level: entry.level, text: entry.text, url: entry.url });
    } else if (msg.method === 'Audits.issueAdded') {
      const issue = (msg.params as { issue: { code: string; details: Record<string, unknown> } }).issue;
      this.issues.push({ targetType: target.type, targetUrl: target.url, code: issue.code, details: issue.details });
    } else if (msg.method === 'Network.requestWillBeSent') {
      const req = (msg.params as { request: { url: string } }).request;
      this.requests.push({ targetType: target.type, url: req.url });
    }
  }

  /** Content-Security-Policy violations: DevTools issues of that code, and any log entry that names the policy. */
  cspViolations(): { targetType: string; what: string }[] {
    return [
      ...this.issues.filter((i) => i.code === 'ContentSecurityPolicyIssue').map((i) => ({ targetType: i.targetType, what: JSON.stringify(i.details) })),
      ...this.logs.filter((l) => /Content Security Policy|Content-Security-Policy/i.test(l.text)).map((l) => ({ targetType: l.targetType, what: l.text })),
    ];
  }

  async stop(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
  }
}
