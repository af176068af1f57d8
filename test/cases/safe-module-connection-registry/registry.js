'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

class Connection {
  constructor(id) {
    this.id = id;
    this.received = [];
  }

  async send(message) {
    await sleep(5); // socket write + drain
    this.received.push(message);
  }
}

class ConnectionRegistry {
  #connections = new Map();

  register(conn) {
    this.#connections.set(conn.id, conn);
  }

  unregister(id) {
    this.#connections.delete(id);
  }

  ids() {
    return [...this.#connections.keys()];
  }

  // Copies the live connections in one event, then awaits over the copy only.
  async broadcast(message) {
    const targets = [...this.#connections.values()];
    let delivered = 0;
    for (const conn of targets) {
      await conn.send(message);
      delivered++;
    }
    return delivered;
  }
}

module.exports = { Connection, ConnectionRegistry };
