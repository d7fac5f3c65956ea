import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Role } from '../config/secrets';
import { ROLES_KEY, type AuthenticatedRequest } from './bearer-auth.guard';

/** One minute, the window LEDGER_READ_RATE_LIMIT counts in. */
const WINDOW_MS = 60_000;

export const readRateLimitOptions = (perMinute: number): ThrottlerModuleOptions => ({
  throttlers: [{ name: 'default', ttl: WINDOW_MS, limit: perMinute }],
  errorMessage: 'too many reads with this token; retry after the seconds in Retry-After',
});

/**
 * LEDGER_READ_RATE_LIMIT reads per minute per token, across every read route, counted by the
 * token's name so that a replaced token keeps its holder's count. Writes have their own back
 * pressure (the store), and public routes (health, docs) have no token to count by. Runs after
 * BearerAuthGuard, which names the caller. Counts are per instance.
 */
@Injectable()
export class ReadRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return !roles || context.switchToHttp().getRequest<{ method: string }>().method !== 'GET';
  }

  protected override async getTracker(req: AuthenticatedRequest): Promise<string> {
    return req.principal!.name;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttler: string): string {
    return `${throttler}:${tracker}`;
  }
}
