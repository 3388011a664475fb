/**
 * TODO(#3): planner for the webhooks components (being written).
 */
import type { ComponentPlanner } from './component.ts';

export const planWebhooks: ComponentPlanner = () => [];
