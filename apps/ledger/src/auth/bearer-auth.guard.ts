import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { tokenDigest, type Principal, type Role } from '../config/secrets';

export const TOKENS = Symbol('TOKENS');
export const ROLES_KEY = 'ledger:roles';

/** The roles that may call a route; a route without it is public (health, metrics, docs). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export const UNAUTHORIZED_MESSAGE = 'a valid bearer token is required';

/** The holder of the request's bearer token, if it is one of ours. */
export function bearerPrincipal(
  header: string | string[] | undefined,
  tokens: Map<string, Principal>,
): Principal | undefined {
  const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  return token ? tokens.get(tokenDigest(token)) : undefined;
}

/** Bearer tokens with roles (CONTRACT §2): no token 401, wrong role 403. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKENS) private readonly tokens: Map<string, Principal>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = bearerPrincipal(request.headers.authorization, this.tokens);
    if (!principal) throw new UnauthorizedException(UNAUTHORIZED_MESSAGE);
    if (!roles.includes(principal.role))
      throw new ForbiddenException(`this needs one of the roles: ${roles.join(', ')}`);
    request.principal = principal;
    return true;
  }
}
