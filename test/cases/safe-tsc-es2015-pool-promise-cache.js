// expect: none
// why: compiled async (tsc 5.9 --target ES2015): the fixed pool stores the in-flight dial promise in the
// why: same event as its check, so the second caller joins it (a promise cache, not a race).
"use strict";
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.Pool = void 0;
// The same pool, fixed: the in-flight dial is stored before the await, so concurrent callers share it.
const promises_1 = require("node:timers/promises");
let opened = 0;
function dial(host) {
    return __awaiter(this, void 0, void 0, function* () {
        yield (0, promises_1.setTimeout)(10); // TCP + TLS handshake
        return { host, id: ++opened };
    });
}
class Pool {
    constructor() {
        this.conns = new Map();
    }
    connect(host) {
        return __awaiter(this, void 0, void 0, function* () {
            let conn = this.conns.get(host);
            if (!conn) {
                conn = dial(host);
                this.conns.set(host, conn);
            }
            return conn;
        });
    }
}
exports.Pool = Pool;
function main() {
    return __awaiter(this, void 0, void 0, function* () {
        const pool = new Pool();
        const [a, b] = yield Promise.all([pool.connect('db.internal'), pool.connect('db.internal')]);
        console.log(`opened ${opened} connection(s); same: ${a === b}`);
    });
}
main();
