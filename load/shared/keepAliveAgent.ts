// The load clients' keep-alive agent, which closes an idle socket before the server does.
//
// A server closes a keep-alive connection it has not used for its keep-alive timeout (Node's
// default is 5 s, which it announces as `Keep-Alive: timeout=5`). A client that sends its next
// request on that socket just as the server closes it gets ECONNRESET for a request the server
// never read. Node 20's agent honours the announced timeout (minus one second) only when the agent
// has a socket timeout of its own: without one, an idle socket stays open until the server closes
// it. An open-loop client runs into that race after each burst: the sockets a burst opened sit idle
// until the next burst picks them up, about when the server closes them. The nginx template closes
// its upstream connections after 4 s for the same reason (deploy/nginx/acta.conf.template).
import http from 'node:http';

/** An agent of `socketsMax` keep-alive sockets; an idle one closes at the server's announced timeout minus 1 s, or after `idleTimeoutMs`. */
export function keepAliveAgent(socketsMax: number, idleTimeoutMs: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: socketsMax, maxFreeSockets: socketsMax, timeout: idleTimeoutMs });
}
