import path from 'node:path';
import type { WrapTarget } from '../../kernel/index.js';

export interface CursorOptions {
  bin?: string | undefined;
}

/** The editor's command-line launcher (`cursor`, `cursor.cmd`), as opposed to the agent CLI. */
export function isEditor(bin: string): boolean {
  return /^cursor(\.cmd|\.exe)?$/i.test(path.basename(bin));
}

const AGENT_NOTICE =
  "cursor-agent sends its own model calls to Cursor's servers (it has no setting for another endpoint); " +
  'what it runs (claude, codex, scripts that read OPENAI_BASE_URL or ANTHROPIC_BASE_URL) goes through Lynkr.';

const EDITOR_NOTICE =
  "Cursor's own AI features are called from Cursor's servers, which cannot reach a Lynkr on this machine; " +
  'Lynkr stays up while the window is open, and what runs in it (claude or codex in its terminal, extensions and scripts that read OPENAI_BASE_URL or ANTHROPIC_BASE_URL) goes through Lynkr.';

/**
 * Cursor: the agent CLI (`cursor-agent`) when installed, else the editor.
 * Neither sends its own model calls anywhere but Cursor's servers, so what
 * the wrap does is point everything they start at Lynkr through the usual
 * base URL variables; the editor is started with `--wait` so that Lynkr
 * lives as long as its window.
 */
export function cursorTarget(options: CursorOptions): WrapTarget {
  return {
    name: 'cursor',
    binaries: ['cursor-agent', 'cursor'],
    install: 'the agent CLI: curl https://cursor.com/install -fsS | bash (or the editor, from https://cursor.com/downloads)',
    places: [
      // The editor's launcher inside the app, when "Install 'cursor' command" was never run.
      '/Applications/Cursor.app/Contents/Resources/app/bin',
      '~/Applications/Cursor.app/Contents/Resources/app/bin',
      '~/AppData/Local/Programs/cursor/resources/app/bin',
    ],
    bin: options.bin,
    prepare({ baseUrl, args, bin }) {
      const editor = isEditor(bin);
      const v1 = `${baseUrl}/v1`;
      return {
        env: { OPENAI_BASE_URL: v1, OPENAI_API_BASE: v1, ANTHROPIC_BASE_URL: baseUrl },
        args: editor && !args.some((a) => a === '--wait' || a === '-w') ? ['--wait', ...args] : [...args],
        notice: editor ? EDITOR_NOTICE : AGENT_NOTICE,
      };
    },
  };
}
