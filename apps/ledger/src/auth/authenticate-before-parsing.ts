import { UnauthorizedException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { BearerAuthenticator } from './bearer-authenticator';
import { UNAUTHORIZED_MESSAGE } from './bearer-auth.guard';

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Express middleware that runs before the body parser: a request with a body and no valid token
 * (static or JWT) is answered 401 before any of its body is read, so an anonymous caller cannot
 * make the service buffer and parse a large body. The role check stays in the guard.
 */
export function authenticateBeforeParsing(authenticator: BearerAuthenticator) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!hasBody(req)) return next();
    authenticator.authenticate(req).then(
      // The error filter answers it, as it answers the guard's 401. Node then reads the rest of the
      // body and drops it, chunk by chunk, so that the client sees the answer (closing at once would
      // reset the connection under a client still sending, and lose the answer with it).
      (holder) => next(holder ? undefined : new UnauthorizedException(UNAUTHORIZED_MESSAGE)),
      // A JWT whose provider cannot be reached: the filter's 503.
      (error: unknown) => next(error),
    );
  };
}

/**
 * A client that sends `Expect: 100-continue` waits for the go-ahead before sending its body; Node
 * gives it to everyone unless told otherwise. Only a valid token gets it: without one the request
 * goes on to the 401 above, and the body is never sent.
 */
export function continueOnlyWithToken(server: Server, authenticator: BearerAuthenticator): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    authenticator
      .authenticate(req)
      .catch(() => undefined)
      .then((holder) => {
        if (holder) res.writeContinue();
        server.emit('request', req, res);
      })
      .catch(() => res.destroy());
  });
}
