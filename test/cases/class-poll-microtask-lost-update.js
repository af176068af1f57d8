// expect: race
// why: vote() reads the tally, awaits verify() (which resolves at once), then writes tally + 1; the
// why: votes started together all read 0 first, so one vote for 'tabs' is lost on every run.
'use strict';

class Poll {
  constructor(question, options, voters) {
    this.question = question;
    this.tally = new Map();
    for (const option of options) this.tally.set(option, 0);
    this.allowed = new Set(voters);
  }

  async verify(voter) {
    if (!this.allowed.has(voter)) throw new Error(`${voter} may not vote`);
    return true;
  }

  async vote(voter, option) {
    const current = this.tally.get(option); // RACE
    await this.verify(voter);
    this.tally.set(option, current + 1); // RACE
  }

  results() {
    return [...this.tally].map(([option, n]) => `${option}=${n}`).join(' ');
  }
}

async function main() {
  const poll = new Poll('indentation?', ['tabs', 'spaces'], ['ann', 'bob', 'cy']);
  await Promise.all([poll.vote('ann', 'tabs'), poll.vote('bob', 'tabs'), poll.vote('cy', 'spaces')]);
  console.log(`${poll.question} ${poll.results()} (3 votes cast)`);
}

main();
