import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG } from '../modules/tokens';
import { consoleCsp, consoleSettingsOf, type ConsoleSettings } from './console-settings';

/** Where `npm run build` puts the console: dist/console, beside the service's dist/apps. */
export const CONSOLE_DIR = resolve(__dirname, '../../../../console');

/**
 * The console (apps/console, built by Vite) at /console: public files, since what they show comes
 * from the API with the reader's own token; every answer under /console carries the console's CSP.
 * A path that is no file is the page itself (the console routes in the browser).
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly settings: ConsoleSettings;
  private readonly csp: string;

  constructor(@Inject(LEDGER_CONFIG) config: LedgerConfig) {
    this.settings = consoleSettingsOf(config);
    this.csp = consoleCsp(this.settings);
  }

  @Get('config.json')
  config(@Res() res: Response): void {
    res.setHeader('Content-Security-Policy', this.csp);
    res.setHeader('Cache-Control', 'no-store');
    res.json(this.settings);
  }

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('*path')
  file(@Param('path') path: string[] | string, @Res() res: Response): void {
    const relative = normalize(Array.isArray(path) ? path.join('/') : path);
    const file = join(CONSOLE_DIR, relative);
    const inside = file.startsWith(CONSOLE_DIR + sep) && !relative.split(sep).some((part) => part.startsWith('.'));
    if (inside && existsSync(file) && statSync(file).isFile()) return this.send(res, relative);
    // A file that is not there is a 404; a page path (no extension) is the console's own route.
    if (extname(relative) !== '') throw new NotFoundException('no such file');
    this.send(res, 'index.html');
  }

  private send(res: Response, relative: string): void {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new NotFoundException('the console is not built');
    res.setHeader('Content-Security-Policy', this.csp);
    // Built assets carry their hash in their names; the page itself must always be fetched anew.
    res.setHeader('Cache-Control', relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.sendFile(relative, { root: CONSOLE_DIR, dotfiles: 'deny' });
  }
}
