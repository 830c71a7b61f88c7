/** Topic names shared by publishers and subscribers. */
export const userTopic = (userId: number): string => `u:${userId}`;
