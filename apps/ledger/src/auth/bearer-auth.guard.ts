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
import type { Principal, Role } from '../config/secrets';
import { BearerAuthenticator } from './bearer-authenticator';

export const TOKENS = Symbol('TOKENS');
export const ROLES_KEY = 'ledger:roles';

/** The roles that may call a route; a route without it is public (health, metrics, docs). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export const UNAUTHORIZED_MESSAGE = 'a valid bearer token is required';

/**
 * Bearer tokens with roles (CONTRACT §2, §6): no valid token 401, no role the route accepts 403.
 * The principal acts under the first of the route's roles its token grants: the access log's role.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(BearerAuthenticator) private readonly authenticator: BearerAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const holder = await this.authenticator.authenticate(request);
    if (!holder) throw new UnauthorizedException(UNAUTHORIZED_MESSAGE);
    const role = roles.find((r) => holder.roles.includes(r));
    if (!role) throw new ForbiddenException(`this needs one of the roles: ${roles.join(', ')}`);
    request.principal = { name: holder.name, role, roles: holder.roles };
    return true;
  }
}
